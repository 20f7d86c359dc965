// Shared by the primitives' tests.
//
// run_sim(body) runs `body` as the main fiber of a simulation and returns the
// report. Timing-free tests use it through `run_checked`, which also requires
// the verdict to be `passed`, so that the same bodies can later run on real
// threads as well.
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
