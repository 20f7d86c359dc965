// Shared by the GoKer kernel tests (goker_{cockroach,etcd,grpc,kubernetes}_test.cpp).
//
// caught() asserts a buggy kernel's exploration exactly: the FIFO schedule
// catches it or passes, and random and PCT (seed 1, schedule i with seed
// 1 + i) first catch it on the stated schedule and hold over the budget (no
// failure but the expected one); it returns the first catch's report.
// fixed() asserts a twin passes every schedule of the budget under FIFO,
// random and PCT. race_kernel() asserts a data-race kernel is skipped
// outside the race-detector build. A catching schedule's report is compared
// line by line in one of three forms: describe() (message, time, every
// fiber with its since), fiber_lines() (every fiber, short) or
// blocked_lines() (the blocked fibers by name).
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

// First catches, by strategy: the first schedule (from 0) that catches the
// kernel; FIFO's is 0 or nullopt (its one schedule passes). nullopt for
// random or PCT means the budget never catches it (and must all pass).
struct FirstCatch {
  std::optional<std::uint64_t> fifo;
  std::optional<std::uint64_t> random;
  std::optional<std::uint64_t> pct;
};

// explore_exactly() explores `budget` schedules of `s` under `k` (seed 1)
// and returns the first failure's report, if any: first caught on `first`
// and holding, or (nullopt) passing every schedule.
inline std::optional<sim::Report> explore_exactly(const Scenario& s, sim::Strategy::Kind k, std::uint64_t budget,
                                                  std::optional<std::uint64_t> first) {
  Exploration e = explore(s, ExploreConfig{k, budget, 1});
  INFO(sim::to_string(k) << "\n" << render(e, true));
  CHECK(e.schedules_run == budget);
  CHECK(e.first_match == first);
  CHECK(e.held == (first.has_value() || !s.expect.buggy()));
  if (!first) CHECK(e.verdicts == std::map<sim::Verdict, std::uint64_t>{{sim::Verdict::passed, budget}});
  return e.first_failure;
}

// caught() returns the report of the first catch: FIFO's if FIFO catches
// the kernel, else random's, else PCT's.
inline sim::Report caught(const std::string& name, FirstCatch first, std::uint64_t budget) {
  const Scenario& s = goker_named(name);
  std::optional<sim::Report> fifo = explore_exactly(s, sim::Strategy::Kind::fifo, 1, first.fifo);
  std::optional<sim::Report> random = explore_exactly(s, sim::Strategy::Kind::random, budget, first.random);
  std::optional<sim::Report> pct = explore_exactly(s, sim::Strategy::Kind::pct, budget, first.pct);
  std::optional<sim::Report> report = fifo ? fifo : random ? random : pct;
  REQUIRE(report.has_value());
  return *report;
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

// fiber_lines() is one line per fiber of a report, by id: "2 tick blocked
// [sync.Mutex.Lock] mutex #1 held by fiber 3".
inline std::vector<std::string> fiber_lines(const sim::Report& r) {
  std::vector<std::string> lines;
  for (const auto& f : r.fibers)
    lines.push_back(fmt::format("{} {} {} [{}] {}", f.id, f.name, sim::to_string(f.state), f.reason, f.object));
  return lines;
}

// blocked_lines() lists a report's blocked fibers, in dump order, as "name
// [reason] on object".
inline std::vector<std::string> blocked_lines(const sim::Report& r) {
  std::vector<std::string> out;
  for (const auto& f : r.fibers)
    if (f.state == sim::FiberState::blocked) out.push_back(f.name + " [" + f.reason + "] on " + f.object);
  return out;
}

// fifo_dump() describes the FIFO schedule of `name`.
inline std::vector<std::string> fifo_dump(const std::string& name) {
  return describe(run_schedule(goker_named(name), sim::Strategy::fifo(), 0));
}

// first_catch_report() is the first failing schedule's report among the
// first `schedules` of strategy `k` (seed 1), as explore() keeps it.
inline sim::Report first_catch_report(const std::string& name, sim::Strategy::Kind k, std::uint64_t schedules) {
  Exploration e = explore(goker_named(name), ExploreConfig{k, schedules, 1});
  REQUIRE(e.first_failure.has_value());
  return *e.first_failure;
}

// first_catch_dump() describes first_catch_report().
inline std::vector<std::string> first_catch_dump(const std::string& name, sim::Strategy::Kind k,
                                                 std::uint64_t schedules) {
  return describe(first_catch_report(name, k, schedules));
}

// race_kernel() checks a data-race kernel. In the race-detector build the
// FIFO schedule catches it; elsewhere explore() skips it, and its FIFO
// schedule ends in `plain` (passed, unless the kernel also leaks).
inline void race_kernel(const std::string& name, sim::Verdict plain) {
  const Scenario& s = goker_named(name);
  CHECK(s.expect.verdict == sim::Verdict::race);
#ifdef LOCKSTEP_RACE_DETECTOR
  Exploration e = explore(s, ExploreConfig{sim::Strategy::Kind::fifo, 1, 1});
  INFO(render(e, true));
  CHECK(e.held);
  CHECK(e.first_match == std::optional<std::uint64_t>{0});
  static_cast<void>(plain);
#else
  Exploration e = explore(s, ExploreConfig{sim::Strategy::Kind::fifo, 1, 1});
  CHECK(e.skipped);
  CHECK(e.schedules_run == 0);
  sim::Report r = run_schedule(s, sim::Strategy::fifo(), 0);
  INFO(sim::to_string(r));
  CHECK(r.verdict == plain);
#endif
}

}  // namespace lockstep::scenarios::test
