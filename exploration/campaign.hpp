// Campaign: many schedules of many targets (target.hpp), possibly one shard
// of them, with every failing schedule recorded and every outcome counted.
// The runner's `fuzz` runs one over catalog scenarios, a LOCKSTEP_FUZZ_CASE
// over itself (testing/catch.hpp); "scenario" in a summary is a target.
//
//   CampaignConfig c{.explore = {sim::Strategy::Kind::pct, 200, 1}, .shard = {0, 2}};
//   CampaignSummary s = run_campaign(targets, c, [](const Failure& f) { /* one JSON line */ });
//   Judgement j = judge(s, failures, replay_command);
//
// Schedule k (0 <= k < N, per target) runs with seed `seed + k`, as in
// explore(), so a failure's token is what explore() reports for schedule k
// (`run` prints k + 1: it counts from 1) and replaying it reproduces it. A
// shard runs the schedules it owns (shard.hpp). A failure is *expected* when
// it is the failure its target expects (a mistake caught); any other failure
// is unexpected.
//
// judge() says whether a campaign met every expectation, as explore() does:
// no unexpected failure, and, when the campaign is whole (unsharded, or the
// merge of all its shards), every buggy target caught at least once. A
// single shard cannot say a mistake went uncaught: another shard may catch it.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "exploration/explore.hpp"
#include "exploration/shard.hpp"
#include "exploration/target.hpp"
#include "lockstep.hpp"

namespace lockstep::exploration {

// Every verdict, in report order: counts list them all, zeros included, so a
// summary always has the same fields.
inline constexpr std::array<sim::Verdict, 8> kVerdicts{
    sim::Verdict::passed,    sim::Verdict::deadlock, sim::Verdict::leak,     sim::Verdict::livelock,
    sim::Verdict::exception, sim::Verdict::misuse,   sim::Verdict::liveness, sim::Verdict::race};
using VerdictCounts = std::map<sim::Verdict, std::uint64_t>;
VerdictCounts zero_counts();

struct CampaignConfig {
  ExploreConfig explore;  // strategy (random or pct), schedules per scenario, seed, pct depth and steps
  Shard shard;
  bool dump = true;  // keep each failure's goroutine dump
};

// One failing schedule.
struct Failure {
  std::string scenario;
  std::uint64_t schedule = 0;  // k, from 0
  std::uint64_t seed = 0;      // the campaign's seed + k
  std::string strategy;        // its kind: "random", "pct", "dfs", "pos" or "portfolio"
  sim::Verdict verdict = sim::Verdict::passed;
  std::string message;
  std::string token;           // for `replay`
  bool expected = false;       // the scenario's expected failure (a mistake caught)
  std::string dump;            // the goroutine dump; empty without dumps
};

// The outcomes of one target's schedules in a campaign (or shard).
struct ScenarioTally {
  std::string name;
  sim::Verdict expects = sim::Verdict::passed;  // passed: a correct scenario; else a mistake's verdict
  std::uint64_t schedules = 0;
  VerdictCounts verdicts = zero_counts();
  std::uint64_t expected_failures = 0;
  std::uint64_t unexpected_failures = 0;
};

struct CampaignSummary {
  Shard shard;
  ExploreConfig config;         // its `schedules` is per scenario, for the whole campaign
  std::uint64_t schedules = 0;  // schedules run, all scenarios
  VerdictCounts verdicts = zero_counts();
  std::uint64_t expected_failures = 0;
  std::uint64_t unexpected_failures = 0;
  std::vector<ScenarioTally> scenarios;  // in the order run
  // Not run: targets that expect a data race, outside the race-detector
  // build (Expectation::checkable()), as explore() skips them.
  std::vector<std::string> skipped;
  double wall_seconds = 0;               // real time spent (merged: the sum over shards)
};

// Called after each schedule of a target: (target, done, planned in this shard).
using CampaignProgress = std::function<void(const Target&, std::uint64_t, std::uint64_t)>;

// run_campaign() runs the shard's schedules of each target in order,
// calling `on_failure` for each failing one as it ends. A target whose
// expectation is not checkable in this build is skipped (listed in
// `skipped`, counted nowhere else).
CampaignSummary run_campaign(const std::vector<Target>& targets, const CampaignConfig& c,
                             const std::function<void(const Failure&)>& on_failure,
                             const CampaignProgress& progress = {});

// OnFailure hears a failing schedule as it ends, its line and its report
// whole, and returns whether to run the next schedule.
using OnFailure = std::function<bool(const Failure&, const sim::Report&)>;

// The same, for a caller that wants each failure's report (a fuzz case
// prints the first one's dump): a whole campaign, so `on_failure`'s answer
// is not asked.
CampaignSummary run_campaign(const std::vector<Target>& targets, const CampaignConfig& c,
                             const std::function<void(const Failure&, const sim::Report&)>& on_failure,
                             const CampaignProgress& progress = {});

// run_target() is one target of run_campaign() (a checkable one): its
// tally. When `on_failure` returns false, it stops there, and the tally
// counts the schedules run so far: not a whole shard, so not for a summary.
ScenarioTally run_target(const Target& t, const CampaignConfig& c, const OnFailure& on_failure,
                         const CampaignProgress& progress = {});

struct Judgement {
  bool held = true;
  std::vector<std::string> problems;  // one line each: an unexpected failure, a mistake not caught
};

// ReplayCommand: the shell command that reruns a target's failing schedule
// from its token (the runner's: lockstep-scenarios replay NAME 'TOKEN').
using ReplayCommand = std::function<std::string(std::string_view target, std::string_view token)>;

// judge() judges a summary; `failures` (all, or at least the unexpected
// ones) give the details of unexpected failures, each with its replay command.
Judgement judge(const CampaignSummary& s, const std::vector<Failure>& failures, const ReplayCommand& replay);

// describe() is the one-line human result: "green: shard 0/2: 1000
// schedules of 10 scenarios (random, seed 1): passed 900, deadlock 100; 100
// failures, all expected".
std::string describe(const CampaignSummary& s, const Judgement& j);

}  // namespace lockstep::exploration
