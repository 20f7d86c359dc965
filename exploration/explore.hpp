// explore(): run many schedules of one target and judge its expectation.
//
//   ExploreConfig c{sim::Strategy::Kind::pct, 64, 1};
//   Exploration e = explore(target, c);
//   e.held;          // caught with the expected verdict (or passed everywhere)
//
// Schedule i (from 0) runs with seed `seed + i` (and under an adaptive pct,
// the bound kAdaptWarmup describes); under fifo every schedule is the same,
// so one is run. Under dfs the schedules are sim::explore_dfs()'s, at most
// `schedules` of them, and the search stops at the first failure. A correct
// target holds when every schedule passed; a buggy one when at least one
// schedule matched its expectation and none ended in another failing
// verdict. A target this build cannot check (a data race without the race
// detector) is skipped: held, nothing run. The first failing report is kept
// whole (token, dump) for the caller to print.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "exploration/target.hpp"
#include "lockstep.hpp"

namespace lockstep::exploration {

// The most schedules per target a run or campaign takes (--schedules and
// the JSON lines' schedules_per_scenario). At the simulator's best rate
// (about 250,000 small schedules a second, bench/fuzz_bench.cpp) that is
// over an hour of one core per target.
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
// target's tree into the paths of its first three decisions, expanded
// fully (sim/dfs.hpp), every shard count alike, so shards add up to the
// unsharded campaign.
inline constexpr std::size_t kDfsSplitDepth = 3;

// kAdaptWarmup: how many of a target's first schedules teach an adaptive
// pct bound. Schedule k's bound is the longest of schedules
// 0..min(k, kAdaptWarmup)-1 (Coyote's rule, frozen after the warm-up), in
// explore() and in every shard of a campaign alike: a shard cannot see the
// schedules other shards run, and schedule k must be the same schedule
// however the campaign is sharded, so that its token is the one an
// unsharded exploration prints.
inline constexpr std::uint64_t kAdaptWarmup = 64;

// parse_strategy() is the kind a strategy's name names ("fifo", "random",
// "pct", "dfs", "pos", "portfolio": sim::to_string(Kind)), or nullopt: the
// one reading of a name, for the runner's --strategy and the JSON lines.
std::optional<sim::Strategy::Kind> parse_strategy(std::string_view name);

// config_of() is the config that explores with `s` (its kind, and a pct's
// depth and step bound, adaptive or fixed): strategy_of() gives `s` back.
// Misuse for a replay strategy, which names one schedule, not a way to draw them.
ExploreConfig config_of(const sim::Strategy& s, std::uint64_t schedules, std::uint64_t seed);

// dfs_config() is the systematic search a config asks for, at most
// `max_schedules` schedules; search_dfs() runs it on `t`, one
// run_schedule() per schedule; `done` hears the count of schedules run so far.
sim::DfsConfig dfs_config(const ExploreConfig& c, std::uint64_t max_schedules);
sim::DfsResult search_dfs(const Target& t, const sim::DfsConfig& d, const std::function<void(std::uint64_t)>& done);

// strategy_of() builds the Strategy a config names (fifo, random, pct, dfs, pos
// or portfolio).
sim::Strategy strategy_of(const ExploreConfig& c);
// describe_strategy() is how output names a config's strategy:
// sim::describe() of strategy_of(), and for dfs its bound ("dfs(delay bound 2)").
std::string describe_strategy(const ExploreConfig& c);

struct Exploration {
  std::string target;  // its name
  Expectation expect;
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

Exploration explore(const Target& t, const ExploreConfig& c, const Progress& progress = {});

}  // namespace lockstep::exploration
