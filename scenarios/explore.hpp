// explore(): run many schedules of one scenario and judge its expectation.
//
//   ExploreConfig c{sim::Strategy::Kind::pct, 64, 1};
//   Exploration e = explore(*find_scenario("mistakes/polite_retry"), c);
//   e.held;          // caught with the expected verdict (or passed everywhere)
//
// Schedule i (from 0) runs with seed `seed + i` (and under an adaptive pct,
// the bound kAdaptWarmup describes); under fifo every schedule is the same,
// so one is run. Under dfs the schedules are sim::explore_dfs()'s, at most
// `schedules` of them, and the search stops at the first failure. A correct scenario holds when every schedule
// passed; a buggy one when at least one schedule matched its expectation and
// none ended in another failing verdict. A scenario this build cannot check
// (a data race without the race detector) is skipped: held, nothing run. The first failing report is kept
// whole (token, dump) for the runner to print.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

// The most schedules per scenario a run or campaign takes (--schedules and
// the JSON lines' schedules_per_scenario). At the simulator's best rate
// (about 250,000 small schedules a second, bench/fuzz_bench.cpp) that is
// over an hour of one core per scenario.
inline constexpr std::uint64_t kSchedulesMax = 1'000'000'000;

struct ExploreConfig {
  sim::Strategy::Kind strategy = sim::Strategy::Kind::random;
  std::uint64_t schedules = 100;
  std::uint64_t seed = 1;
  unsigned pct_depth = 3;
  std::uint64_t pct_steps = sim::kPctStepsAdaptive;  // or a fixed bound >= 1
  // dfs: what is bounded and up to which bound; `schedules` caps the search.
  sim::Bound dfs_kind = sim::Bound::delays;
  unsigned dfs_bound = 2;
};

// The most a dfs bound (--delays, --preemptions) may be: each bound searches
// a tree whose size grows as (decisions)^bound.
inline constexpr unsigned kDfsBoundMax = 16;
// kDfsSplitDepth: a sharded dfs campaign (fuzz --strategy dfs) splits each
// scenario's tree into the paths of its first three decisions, expanded
// fully (sim/dfs.hpp), every shard count alike, so shards add up to the
// unsharded campaign.
inline constexpr std::size_t kDfsSplitDepth = 3;

// kAdaptWarmup: how many of a scenario's first schedules teach an adaptive
// pct bound. Schedule k's bound is the longest of schedules
// 0..min(k, kAdaptWarmup)-1 (Coyote's rule, frozen after the warm-up), in
// `run` and in every shard of `fuzz` alike: a shard cannot see the schedules
// other shards run, and schedule k must be the same schedule however the
// campaign is sharded, so that its token is the one `run` prints.
inline constexpr std::uint64_t kAdaptWarmup = 64;

// search_dfs() runs the systematic search `d` on `s`, one run_schedule()
// per schedule; `done` hears the count of schedules run so far. The config's
// bound and cap come from dfs_config().
sim::DfsConfig dfs_config(const ExploreConfig& c, std::uint64_t max_schedules);
sim::DfsResult search_dfs(const Scenario& s, const sim::DfsConfig& d, const std::function<void(std::uint64_t)>& done);

// strategy_of() builds the Strategy a config names (fifo, random, pct, dfs, pos
// or portfolio).
sim::Strategy strategy_of(const ExploreConfig& c);
// describe_strategy() is how output names a config's strategy:
// sim::describe() of strategy_of(), and for dfs its bound ("dfs(delay bound 2)").
std::string describe_strategy(const ExploreConfig& c);

struct Exploration {
  const Scenario* scenario = nullptr;
  ExploreConfig config;
  std::uint64_t schedules_run = 0;
  std::map<sim::Verdict, std::uint64_t> verdicts;  // ordered by verdict: stable output
  std::optional<sim::Report> first_failure;
  std::uint64_t first_failure_schedule = 0;       // index, when first_failure is set
  std::optional<std::uint64_t> first_match;       // first schedule matching a buggy expectation
  bool held = false;
  bool skipped = false;  // not checkable in this build (Expectation::checkable): nothing ran
  std::string dfs_summary;  // dfs: sim::DfsResult::summary()
};

// Progress: (schedules done, schedules planned), called after each schedule.
using Progress = std::function<void(std::uint64_t, std::uint64_t)>;

Exploration explore(const Scenario& s, const ExploreConfig& c, const Progress& progress = {});

// render() is the runner's report of one exploration: a verdict summary, and
// for a failure found, its replay token and (if `dump`) the report and dump.
std::string render(const Exploration& e, bool dump);

}  // namespace lockstep::scenarios
