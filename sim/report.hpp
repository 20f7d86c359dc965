// Report: how a simulation run ended, and the goroutine dump if it failed.
//
// Every run ends in exactly one verdict:
//   passed     every fiber exited (or main returned and nothing remained)
//   deadlock   main is blocked, nothing is runnable and no timer is pending
//   leak       main returned; once the rest were durably blocked, some remained
//              (Go: "main bubble goroutine has exited but blocked goroutines
//              remain")
//   livelock   livelock_steps scheduling steps without virtual time moving, or
//              virtual time about to pass the horizon
//   exception  an exception escaped a fiber (message, fiber, spawn site)
//   misuse     a lockstep::Misuse escaped a fiber (send on a closed channel...)
//   nondeterminism
//              Options::self_check ran the schedule twice and the two runs
//              differed; the message names the first event that differs
//   liveness   a liveness monitor stayed hot longer than its bound allows
//   race       the race-detector build saw two fibers access the same memory
//              with no happens-before order between them
// Anything but passed carries `fibers`, a snapshot of every live fiber taken
// when the verdict was reached, which dump() groups like a goroutine profile.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "runtime/clock.hpp"
#include "runtime/source_location.hpp"
#include "runtime/task_dump.hpp"
#include "sim/strategy.hpp"
#include "sim/wait_graph.hpp"

namespace lockstep::sim {

enum class Verdict { passed, deadlock, leak, livelock, exception, misuse, nondeterminism, liveness, race };
std::string to_string(Verdict v);

// A fiber's state and snapshot: the dump's, shared with real-thread mode.
using FiberState = TaskState;
using FiberSnapshot = TaskSnapshot;
using lockstep::to_string;  // sim::to_string(FiberState) reads as before

struct Report {
  Verdict verdict = Verdict::passed;
  // One line: "deadlock: all fibers are blocked and no timer is pending".
  std::string message;
  // The escaped exception (exception and misuse verdicts), for rethrowing.
  std::exception_ptr exception;

  TimePoint start = kSimulationEpoch;
  TimePoint end = kSimulationEpoch;
  Duration elapsed() const noexcept { return end - start; }

  std::uint64_t steps = 0;     // scheduling points reached
  std::uint64_t switches = 0;  // context switches between fibers
  std::uint64_t fibers_spawned = 0;
  std::uint64_t peak_fibers = 0;  // most fibers alive at once, main included
  // Fibers the teardown left in place instead of unwinding: they may refer
  // to a frame that returned before them (docs/simulation.md, "Teardown").
  // Their stacks, and whatever they own, stay allocated for the process's life.
  std::uint64_t left_in_place = 0;

  std::uint64_t seed = 0;
  Strategy strategy = Strategy::fifo();
  std::uint64_t decision_count = 0;
  // Every decision in order, when Options::record_decisions; empty under
  // fifo, whose decisions are all 0 (decision_count still counts them).
  std::vector<std::uint32_t> decisions;
  std::string replay_token;

  std::vector<FiberSnapshot> fibers;  // live fibers at the verdict, by id
  // Who waits for whom at a deadlock or leak verdict (sim/wait_graph.hpp);
  // empty for the other verdicts, which do not build it.
  WaitGraph graph;

  bool passed() const noexcept { return verdict == Verdict::passed; }
  // dump() is the wait-for graph's text, if any, then the grouped goroutine
  // dump of `fibers` (empty when passed).
  std::string dump() const;
};

// to_string() is the full report: verdict line, figures, replay line, dump.
std::string to_string(const Report& r);

}  // namespace lockstep::sim
