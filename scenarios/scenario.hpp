// Scenario: one runnable program of the catalog, with what lockstep must
// say about it: an exploration target (exploration/target.hpp) plus the
// summary `list` prints and its twin.
//
//   Scenario{"mistakes/leak_no_stop", "a poller with no stop condition",
//            {sim::Verdict::leak, "position-poller", sim::FiberState::blocked, "sleep", "leak: main returned"},
//            "mistakes/leak_no_stop_fixed", &leak_no_stop}
//
// A correct scenario expects `passed` on every schedule; a buggy one (a
// mistake of the catalog) its verdict on at least one explored schedule
// (Expectation, in exploration/target.hpp, says exactly what counts).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "exploration/target.hpp"
#include "lockstep.hpp"

namespace lockstep::scenarios {

using exploration::Expectation;
using exploration::matches;

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

  // target() is what exploration runs: name, expectation, limits and body.
  exploration::Target target() const;
};

}  // namespace lockstep::scenarios
