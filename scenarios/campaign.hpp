// Campaign: many schedules of many scenarios, possibly one shard of them,
// with every failing schedule recorded and every outcome counted.
//
//   CampaignConfig c{.explore = {sim::Strategy::Kind::pct, 200, 1}, .shard = {0, 2}};
//   CampaignSummary s = run_campaign(select_scenarios({"mistakes/"}), c,
//                                    [](const Failure& f) { /* one JSON line */ });
//   Judgement j = judge(s, failures);
//
// Schedule k (0 <= k < N, per scenario) runs with seed `seed + k`, as in
// `run`, so a failure's token is what `run` prints for schedule k + 1 (run
// counts from 1) and `replay` reproduces it. A shard runs the schedules it
// owns (shard.hpp). A failure is *expected* when it is the failure its
// scenario expects (a mistake caught); any other failure is unexpected.
//
// judge() says whether a campaign met every expectation, as `run` does: no
// unexpected failure, and, when the campaign is whole (unsharded, or the
// merge of all its shards), every buggy scenario caught at least once. A
// single shard cannot say a mistake went uncaught: another shard may catch it.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/explore.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/shard.hpp"

namespace lockstep::scenarios {

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
  std::string strategy;        // "random" or "pct"
  sim::Verdict verdict = sim::Verdict::passed;
  std::string message;
  std::string token;           // for `replay`
  bool expected = false;       // the scenario's expected failure (a mistake caught)
  std::string dump;            // the goroutine dump; empty without dumps
};

// The outcomes of one scenario's schedules in a campaign (or shard).
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
  // Not run: scenarios that expect a data race, outside the race-detector
  // build (Expectation::checkable()), as `run` skips them.
  std::vector<std::string> skipped;
  double wall_seconds = 0;               // real time spent (merged: the sum over shards)
};

// Called after each schedule of a scenario: (scenario, done, planned in this shard).
using CampaignProgress = std::function<void(const Scenario&, std::uint64_t, std::uint64_t)>;

// run_campaign() runs the shard's schedules of each scenario in order,
// calling `on_failure` for each failing one as it ends. A scenario whose
// expectation is not checkable in this build is skipped (listed in
// `skipped`, counted nowhere else).
CampaignSummary run_campaign(const std::vector<const Scenario*>& scenarios, const CampaignConfig& c,
                             const std::function<void(const Failure&)>& on_failure,
                             const CampaignProgress& progress = {});

struct Judgement {
  bool held = true;
  std::vector<std::string> problems;  // one line each: an unexpected failure, a mistake not caught
};

// judge() judges a summary; `failures` (all, or at least the unexpected
// ones) give the details of unexpected failures.
Judgement judge(const CampaignSummary& s, const std::vector<Failure>& failures);

// describe() is the one-line human result: "green: shard 0/2: 1000
// schedules of 10 scenarios (random, seed 1): passed 900, deadlock 100; 100
// failures, all expected".
std::string describe(const CampaignSummary& s, const Judgement& j);

}  // namespace lockstep::scenarios
