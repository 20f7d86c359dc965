// Shared by the GoKer kernel tests (goker_etcd_test.cpp, goker_grpc_test.cpp).
//
// caught() asserts a buggy kernel's exploration exactly: the FIFO schedule
// catches it or passes, and random and PCT (seed 1, schedule i with seed
// 1 + i) first catch it on the stated schedule and hold over the budget (no
// failure but the expected one). fixed() asserts a twin passes every
// schedule of the budget under FIFO, random and PCT. fifo_dump() and
// first_catch_dump() describe a catching schedule's report line by line,
// for exact comparison.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "scenarios/catalog.hpp"
#include "scenarios/explore.hpp"

namespace lockstep::scenarios::test {

inline const Scenario& goker_named(const std::string& name) {
  const Scenario* s = find_scenario(name);
  REQUIRE(s != nullptr);
  return *s;
}

// First catches: nullopt for FIFO means the FIFO schedule passes; for
// random or PCT it means the budget never catches it (and must all pass).
struct FirstCatch {
  bool fifo;
  std::optional<std::uint64_t> random;
  std::optional<std::uint64_t> pct;
};

inline void explore_exactly(const Scenario& s, sim::Strategy::Kind k, std::uint64_t budget,
                            std::optional<std::uint64_t> first) {
  Exploration e = explore(s, ExploreConfig{k, budget, 1});
  INFO(render(e, true));
  CHECK(e.first_match == first);
  if (first) {
    CHECK(e.held);
  } else {
    CHECK(e.verdicts == std::map<sim::Verdict, std::uint64_t>{{sim::Verdict::passed, e.schedules_run}});
  }
}

inline void caught(const std::string& name, FirstCatch first, std::uint64_t budget) {
  const Scenario& s = goker_named(name);
  explore_exactly(s, sim::Strategy::Kind::fifo, 1, first.fifo ? std::optional<std::uint64_t>{0} : std::nullopt);
  explore_exactly(s, sim::Strategy::Kind::random, budget, first.random);
  explore_exactly(s, sim::Strategy::Kind::pct, budget, first.pct);
}

inline void fixed(const std::string& name, std::uint64_t budget) {
  const Scenario& s = goker_named(name);
  explore_exactly(s, sim::Strategy::Kind::fifo, 1, std::nullopt);
  explore_exactly(s, sim::Strategy::Kind::random, budget, std::nullopt);
  explore_exactly(s, sim::Strategy::Kind::pct, budget, std::nullopt);
}

// describe() is a report line by line: its message and elapsed virtual
// time, then one line per live fiber, by id:
//   fiber 2 "keepalive" blocked [chan receive] on chan<lockstep::Empty> #2 cap=0 len=0 since +0s
inline std::vector<std::string> describe(const sim::Report& r) {
  std::vector<std::string> lines{r.message, "at +" + format_duration(r.elapsed())};
  for (const auto& f : r.fibers) {
    std::string line = fmt::format("fiber {} \"{}\" {}", f.id, f.name, sim::to_string(f.state));
    if (!f.reason.empty()) line += fmt::format(" [{}]", f.reason);
    if (!f.object.empty()) line += " on " + f.object;
    if (!f.reason.empty()) line += " since +" + format_duration(f.since - kSimulationEpoch);
    lines.push_back(line);
  }
  return lines;
}

// fifo_dump() describes the FIFO schedule of `name`.
inline std::vector<std::string> fifo_dump(const std::string& name) {
  return describe(run_schedule(goker_named(name), sim::Strategy::fifo(), 0));
}

// first_catch_dump() describes the first failing schedule among the first
// `schedules` of strategy `k` (seed 1), as explore() keeps it.
inline std::vector<std::string> first_catch_dump(const std::string& name, sim::Strategy::Kind k,
                                                 std::uint64_t schedules) {
  Exploration e = explore(goker_named(name), ExploreConfig{k, schedules, 1});
  REQUIRE(e.first_failure.has_value());
  return describe(*e.first_failure);
}

}  // namespace lockstep::scenarios::test
