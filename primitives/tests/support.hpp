// Shared by the primitives' tests.
//
// run_sim(body) runs `body` as the main fiber of a simulation and returns the
// report; run_checked(body) also requires the verdict to be `passed`.
// run_both(body) runs a timing-free body twice from the same source: in a
// simulation (passed), then on real threads, on the test's thread, where no
// goroutine may outlive it (LeakCheck). Such a body keeps its state inside
// and asserts on the test's thread only (Catch2 is not thread-safe); tag
// its test [both], which the ThreadSanitizer build runs. run_both(body,
// options) runs the simulation half with those options (a seeded random
// strategy, for a body about random choices: deterministic in the
// simulation, random on real threads).
#pragma once

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "lockstep.hpp"

namespace lockstep::test {

template <class F>
sim::Report run_sim(F&& body, sim::Options options = {},
                    SourceLocation where = SourceLocation::current()) {
  return sim::run(std::forward<F>(body), options, where);
}

template <class F>
void run_checked(F&& body, sim::Options options = {},
                 SourceLocation where = SourceLocation::current()) {
  auto report = sim::run(std::forward<F>(body), options, where);
  INFO(sim::to_string(report));
  REQUIRE(report.verdict == sim::Verdict::passed);
}

template <class F>
void run_both(const F& body, sim::Options options = {}, SourceLocation where = SourceLocation::current()) {
  {
    INFO("in a simulation");
    run_checked(body, std::move(options), where);
  }
  INFO("on real threads");
  LeakCheck leaks(where);
  body();
  leaks.verify(std::chrono::seconds(10));
}

// Trace: "<event>@<virtual offset>" in the order they happened.
struct Trace {
  std::vector<std::string> events;
  void add(const std::string& what) {
    events.push_back(fmt::format("{}@{}", what, format_duration(Clock::now() - kSimulationEpoch)));
  }
};

inline sim::Options seeded(sim::Strategy s, std::uint64_t seed) {
  sim::Options o;
  o.strategy = std::move(s);
  o.seed = seed;
  return o;
}

}  // namespace lockstep::test
