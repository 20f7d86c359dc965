#include "scenarios/campaign.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>

#include "scenarios/catalog.hpp"

namespace lockstep::scenarios {

VerdictCounts zero_counts() {
  VerdictCounts counts;
  for (sim::Verdict v : kVerdicts) counts[v] = 0;
  return counts;
}

namespace {

// A shard must run schedule k exactly as the unsharded campaign does, so an
// adaptive bound learns only from the warm-up schedules (kAdaptWarmup), which
// every shard runs: those it does not own just to measure them (not counted,
// not reported). At most 64 extra runs per scenario and shard, against the
// thousands a campaign runs.
// next_schedule() is the first k >= from this shard runs: one it owns, or a
// warm-up schedule of an adaptive bound.
std::uint64_t next_schedule(const Shard& shard, bool warmup, std::uint64_t from) {
  if (warmup && from < kAdaptWarmup) return from;
  std::uint64_t offset = (shard.index + shard.count - from % shard.count) % shard.count;
  return from + offset;
}

// tally_failure() counts schedule k's failure `r` as expected or not and
// hands it on.
void tally_failure(ScenarioTally& t, const Scenario& s, const CampaignConfig& c, std::uint64_t k,
                   const sim::Report& r, const std::function<void(const Failure&)>& on_failure) {
  bool expected = s.expect.buggy() && matches(s.expect, r);
  ++(expected ? t.expected_failures : t.unexpected_failures);
  on_failure(Failure{s.name, k, c.explore.seed + k, sim::to_string(c.explore.strategy), r.verdict, r.message,
                     r.replay_token, expected, c.dump ? r.dump() : std::string()});
}

// `strategy` is the scenario's own copy: an adaptive pct bound learns from
// this scenario's schedules alone.
ScenarioTally run_scenario(const Scenario& s, const CampaignConfig& c, sim::Strategy strategy,
                           const std::function<void(const Failure&)>& on_failure, const CampaignProgress& progress) {
  ScenarioTally t;
  t.name = s.name;
  t.expects = s.expect.verdict;
  std::uint64_t planned = c.shard.owned(c.explore.schedules);
  bool warmup = strategy.pct_adaptive();
  for (std::uint64_t k = next_schedule(c.shard, warmup, 0); k < c.explore.schedules;
       k = next_schedule(c.shard, warmup, k + 1)) {
    std::uint64_t seed = c.explore.seed + k;
    sim::Report r = run_schedule(s, strategy, seed);
    if (k < kAdaptWarmup) strategy.adapt(r.steps);
    if (!c.shard.owns(k)) continue;
    ++t.verdicts[r.verdict];
    ++t.schedules;
    if (!r.passed()) tally_failure(t, s, c, k, r, on_failure);
    if (progress) progress(s, t.schedules, planned);
  }
  return t;
}

// run_dfs() is run_scenario() under dfs: the shard's units of the search
// (kDfsSplitDepth), at most its share of `schedules`, up to the first
// failure. The shard's j-th schedule is numbered j * n + i, so the numbers
// of a merged campaign's shards never collide and each names its shard.
ScenarioTally run_dfs(const Scenario& s, const CampaignConfig& c,
                      const std::function<void(const Failure&)>& on_failure, const CampaignProgress& progress) {
  ScenarioTally t;
  t.name = s.name;
  t.expects = s.expect.verdict;
  sim::DfsConfig d = dfs_config(c.explore, c.shard.owned(c.explore.schedules));
  d.split_depth = kDfsSplitDepth;
  d.shard_index = c.shard.index;
  d.shard_count = c.shard.count;
  if (d.max_schedules == 0) return t;
  sim::DfsResult r = search_dfs(s, d, [&](std::uint64_t done) {
    if (progress) progress(s, done, d.max_schedules);
  });
  t.schedules = r.schedules;
  t.verdicts[sim::Verdict::passed] = r.schedules - (r.failure ? 1 : 0);
  if (r.failure) {
    ++t.verdicts[r.failure->verdict];
    tally_failure(t, s, c, r.failure_schedule * c.shard.count + c.shard.index, *r.failure, on_failure);
  }
  return t;
}

}  // namespace

CampaignSummary run_campaign(const std::vector<const Scenario*>& scenarios, const CampaignConfig& c,
                             const std::function<void(const Failure&)>& on_failure,
                             const CampaignProgress& progress) {
  auto start = std::chrono::steady_clock::now();  // real time, for the summary only
  CampaignSummary sum;
  sum.shard = c.shard;
  sum.config = c.explore;
  sim::Strategy strategy = strategy_of(c.explore);
  for (const Scenario* s : scenarios) {
    if (!s->expect.checkable()) {
      sum.skipped.push_back(s->name);
      continue;
    }
    ScenarioTally t = c.explore.strategy == sim::Strategy::Kind::dfs ? run_dfs(*s, c, on_failure, progress)
                                                                     : run_scenario(*s, c, strategy, on_failure, progress);
    sum.schedules += t.schedules;
    for (const auto& [v, n] : t.verdicts) sum.verdicts[v] += n;
    sum.expected_failures += t.expected_failures;
    sum.unexpected_failures += t.unexpected_failures;
    sum.scenarios.push_back(std::move(t));
  }
  sum.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return sum;
}

Judgement judge(const CampaignSummary& s, const std::vector<Failure>& failures) {
  // Enough lines to see what went wrong; the JSON lines have the rest.
  constexpr std::size_t kShown = 10;
  Judgement j;
  j.held = s.unexpected_failures == 0;
  std::size_t shown = 0;
  for (const Failure& f : failures) {
    if (f.expected) continue;
    if (shown++ == kShown) break;
    j.problems.push_back(fmt::format("unexpected failure: {} schedule {} (seed {}): {}\n    replay: {}", f.scenario,
                                     f.schedule, f.seed, f.message, replay_command(f.scenario, f.token)));
  }
  if (s.unexpected_failures > kShown)
    j.problems.push_back(fmt::format("... {} unexpected failures in all", s.unexpected_failures));
  if (!s.shard.whole()) return j;
  for (const ScenarioTally& t : s.scenarios) {
    if (t.expects == sim::Verdict::passed || t.expected_failures > 0) continue;
    j.held = false;
    j.problems.push_back(fmt::format("not caught: {} expects {}, seen in none of its {} schedules", t.name,
                                     sim::to_string(t.expects), t.schedules));
  }
  return j;
}

std::string describe(const CampaignSummary& s, const Judgement& j) {
  auto count = [](std::uint64_t n, const char* what) { return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s"); };
  std::string verdicts;
  for (const auto& [v, n] : s.verdicts)
    if (n > 0) verdicts += fmt::format("{}{} {}", verdicts.empty() ? "" : ", ", sim::to_string(v), n);
  std::uint64_t failures = s.expected_failures + s.unexpected_failures;
  std::string outcome = failures == 0                ? "no failures"
                        : s.unexpected_failures == 0 ? count(failures, "failure") + ", all expected"
                                                     : fmt::format("{}, {} unexpected", count(failures, "failure"),
                                                                   s.unexpected_failures);
  std::string skipped;
  if (!s.skipped.empty())
    skipped = fmt::format("; skipped {} (only the race-detector build sees data races)", fmt::join(s.skipped, ", "));
  return fmt::format("{}: shard {}: {} of {} ({}, seed {}): {}; {}{}", j.held ? "green" : "RED", to_string(s.shard),
                     count(s.schedules, "schedule"), count(s.scenarios.size(), "scenario"),
                     describe_strategy(s.config), s.config.seed, verdicts.empty() ? "none" : verdicts,
                     outcome, skipped);
}

}  // namespace lockstep::scenarios
