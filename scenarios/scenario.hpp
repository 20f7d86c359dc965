// Scenario: one runnable program of the catalog, with what lockstep must
// say about it.
//
//   Scenario{"mistakes/leak_no_stop", "a poller with no stop condition",
//            {sim::Verdict::leak, "position-poller", sim::FiberState::blocked, "sleep"},
//            "mistakes/leak_no_stop_fixed", &leak_no_stop}
//
// A correct scenario expects `passed` on every schedule. A buggy one (a
// mistake of the catalog) expects its verdict on at least one explored
// schedule, with a named fiber in the dump in a given state and wait reason,
// and no verdict other than that one or `passed` (the bug may hide on some
// schedules; it must not turn into a different failure).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "lockstep.hpp"

namespace lockstep::scenarios {

struct Expectation {
  sim::Verdict verdict = sim::Verdict::passed;
  std::string fiber;                              // a fiber of the dump, by name
  sim::FiberState state = sim::FiberState::blocked;
  std::string reason;                             // its wait reason ("" if running)
  std::string message;                            // a part of Report::message

  bool buggy() const noexcept { return verdict != sim::Verdict::passed; }
  // checkable() is false for a data race outside the race-detector build
  // (LOCKSTEP_RACE_DETECTOR): fibers run one at a time, so only that build
  // can see one. Such a scenario is listed but not explored.
  bool checkable() const noexcept;
  // describe() is short: "leak, fiber \"poller\" blocked [sleep]".
  std::string describe() const;
};

// matches() tells whether `r` is the failure `e` expects (or a pass, for a
// correct scenario). A race matches when its message names the expected
// fiber as either accessor: which one comes second is the schedule's.
bool matches(const Expectation& e, const sim::Report& r);

struct Scenario {
  std::string name;      // "patterns/...", "service/...", "mistakes/..."
  std::string summary;   // one line, for `list`
  Expectation expect{};  // `passed` unless the scenario is buggy
  std::string twin{};    // its corrected (or buggy) twin, if any
  std::function<void()> body;
  // Run limits, last so that a scenario states one only where it differs:
  // {.name = ..., .body = &run, .horizon = 10s}. Other Options fields come
  // from the caller.
  std::uint64_t livelock_steps = 1'000'000;
  Duration horizon = std::chrono::hours(24);
};

}  // namespace lockstep::scenarios
