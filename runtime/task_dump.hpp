// The goroutine dump: live tasks grouped like a goroutine profile, the same
// format in a simulation (tasks are fibers) and on real threads (goroutines).
//
// Tasks with the same state, wait reason, blocking site and spawn site form
// one group; groups are listed in order of their lowest task id, and within a
// group the first kDumpTasksPerGroup tasks are listed one per line:
//
//   goroutine dump at +1h (2000-01-01T01:00:00Z): 3 fibers in 2 groups
//   2 fibers blocked [sleep] at demo.cpp:40, spawned at demo.cpp:30
//     fiber 2 "sleeper" since +0s
//     fiber 3 "sleeper" since +0s
//   1 fiber running, last scheduling point at demo.cpp:52, spawned at demo.cpp:20
//     fiber 4 "spinner"
//
// A task's line adds "on <object>" when it waits on an object. `start` is
// the origin of the "+" times: the simulation's start, or the process's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/clock.hpp"
#include "runtime/source_location.hpp"

namespace lockstep {

// A task's state, as dumps show it.
enum class TaskState {
  running,   // on a CPU: in a simulation, the fiber the verdict caught running
  runnable,  // in a simulation's run queue, waiting for its turn
  blocked,   // parked on a primitive: only another task or a timer wakes it
  waiting,   // in sim::wait(), until every other fiber is durably blocked
};
std::string to_string(TaskState s);

struct TaskSnapshot {
  std::uint64_t id = 0;
  const char* kind = nullptr;  // "goroutine", "thread"; null: the dump's noun
  std::string name;
  TaskState state = TaskState::runnable;
  std::string reason;  // wait reason, e.g. "sleep"; empty unless blocked/waiting
  std::string object;  // what it waits on, e.g. "chan<int> #3 cap=0 len=0"; may be empty
  SourceLocation spawned_at;
  SourceLocation site;  // where it blocked, or its last scheduling point
  TimePoint since;      // when it blocked (blocked/waiting only)
};

inline constexpr std::size_t kDumpTasksPerGroup = 8;

// format_dump() groups `tasks` (sorted by id); `noun` names one task
// ("fiber" in a simulation, "goroutine" on threads) unless its `kind` does.
std::string format_dump(const std::vector<TaskSnapshot>& tasks, TimePoint start, TimePoint now,
                        const char* noun = "fiber");

}  // namespace lockstep
