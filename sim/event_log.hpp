// EventLog: what a simulation run did, event by event, when someone asks.
//
// The trace export (trace.hpp) and the determinism self-check (Options::
// self_check) read the same stream: every fiber spawned, every switch, every
// park with its wait reason and object, every ready, every exit, every
// decision, every timer fired, every move of the clock and the verdict, each
// stamped with the virtual time since the run's start. The same program with
// the same options gives the same stream, event for event, on every run; a
// stream that differs between two runs of one schedule means the program
// reads something the simulation does not control.
//
// A Simulation logs only when given a log (Simulation::set_log): when
// disabled, each scheduling event costs one predictable branch on a null
// pointer. Object descriptions are taken when the event happens (what the
// dump would show at that instant), which costs a describe() call: logging
// is for traces and checks, not for the fuzzing hot loop.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lockstep::sim::detail {

enum class EventKind : std::uint8_t {
  spawn,    // `fiber` (0: the sim::run caller) created `other`, named `text`
  run,      // `fiber` starts running, switched to from `other` (0: none)
  park,     // `fiber` blocks: wait `reason`, on `text` (the object, may be empty)
  ready,    // `fiber` (0: a timer callback) made `other` runnable; `reason`/`text`: what it waited on
  exit,     // `fiber` returned (or threw)
  decide,   // `fiber` took decision `chosen` among `alternatives`
  timer,    // the timer added `other`-th (0-based, add order) fired; `other` = ~0: fired on add
  advance,  // virtual time moved to `at_ns`
  verdict,  // the run ended: `text` is the report's message
};
const char* to_string(EventKind k) noexcept;

struct Event {
  EventKind kind = EventKind::run;
  std::int64_t at_ns = 0;   // virtual time since the run's start
  std::uint64_t fiber = 0;  // where it happened; 0 is the scheduler (timers, the run caller)
  std::uint64_t other = 0;
  std::uint32_t alternatives = 0, chosen = 0;
  const char* reason = "";  // static storage (a WaitSite reason)
  std::string text = {};

  bool operator==(const Event& o) const noexcept;
};

// describe() is one line: "+1s park fiber 2 [chan receive] on chan<int> #1 cap=0 len=0".
std::string describe(const Event& e);

class EventLog {
 public:
  void add(Event e);
  const std::vector<Event>& events() const noexcept { return events_; }
  // hash() is a 64-bit FNV-1a digest of every field of every event, in order.
  std::uint64_t hash() const noexcept { return hash_; }

 private:
  std::vector<Event> events_;
  std::uint64_t hash_ = 0xcbf29ce484222325ull;
};

}  // namespace lockstep::sim::detail
