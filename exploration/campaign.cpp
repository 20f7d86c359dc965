#include "exploration/campaign.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>


namespace lockstep::exploration {

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
// hands it on; returns whether to go on.
bool tally_failure(ScenarioTally& t, const Target& target, const CampaignConfig& c, std::uint64_t k,
                   const sim::Report& r, const OnFailure& on_failure) {
  bool expected = target.expect.buggy() && matches(target.expect, r);
  ++(expected ? t.expected_failures : t.unexpected_failures);
  return on_failure(Failure{target.name, k, c.explore.seed + k, sim::to_string(c.explore.strategy), r.verdict,
                            r.message, r.replay_token, expected, c.dump ? r.dump() : std::string()},
                    r);
}

// run_sampled() is run_target() under a sampling strategy. `strategy` is the
// target's own copy: an adaptive pct bound learns from this target's
// schedules alone.
ScenarioTally run_sampled(const Target& target, const CampaignConfig& c, sim::Strategy strategy,
                          const OnFailure& on_failure, const CampaignProgress& progress) {
  ScenarioTally t{target.name, target.expect.verdict};
  std::uint64_t planned = c.shard.owned(c.explore.schedules);
  bool warmup = strategy.pct_adaptive();
  for (std::uint64_t k = next_schedule(c.shard, warmup, 0); k < c.explore.schedules;
       k = next_schedule(c.shard, warmup, k + 1)) {
    std::uint64_t seed = c.explore.seed + k;
    sim::Report r = run_schedule(target, strategy, seed, k);
    if (k < kAdaptWarmup) strategy.adapt(r.steps);
    if (!c.shard.owns(k)) continue;
    sim::Verdict v = tallied(target, r);
    ++t.verdicts[v];
    ++t.schedules;
    bool go_on = v == sim::Verdict::passed || tally_failure(t, target, c, k, r, on_failure);
    if (progress) progress(target, t.schedules, planned);
    if (!go_on) break;
  }
  return t;
}

// run_dfs() is run_target() under dfs: the shard's units of the search
// (kDfsSplitDepth), at most its share of `schedules`, up to the first
// failure. The shard's j-th schedule is numbered j * n + i, so the numbers
// of a merged campaign's shards never collide and each names its shard.
ScenarioTally run_dfs(const Target& target, const CampaignConfig& c, const OnFailure& on_failure,
                      const CampaignProgress& progress) {
  ScenarioTally t{target.name, target.expect.verdict};
  sim::DfsConfig d = dfs_config(c.explore, c.shard.owned(c.explore.schedules));
  d.split_depth = kDfsSplitDepth;
  d.shard_index = c.shard.index;
  d.shard_count = c.shard.count;
  if (d.max_schedules == 0) return t;
  sim::DfsResult r = search_dfs(target, d, [&](std::uint64_t done) {
    if (progress) progress(target, done, d.max_schedules);
  });
  t.schedules = r.schedules;
  t.verdicts[sim::Verdict::passed] = r.schedules - (r.failure ? 1 : 0);
  if (r.failure) {
    ++t.verdicts[r.failure->verdict];
    tally_failure(t, target, c, r.failure_schedule * c.shard.count + c.shard.index, *r.failure, on_failure);
  }
  return t;
}

}  // namespace

ScenarioTally run_target(const Target& t, const CampaignConfig& c, const OnFailure& on_failure,
                         const CampaignProgress& progress) {
  if (c.explore.strategy == sim::Strategy::Kind::dfs) return run_dfs(t, c, on_failure, progress);
  return run_sampled(t, c, strategy_of(c.explore), on_failure, progress);
}

CampaignSummary run_campaign(const std::vector<Target>& targets, const CampaignConfig& c,
                             const std::function<void(const Failure&)>& on_failure,
                             const CampaignProgress& progress) {
  return run_campaign(targets, c, [&](const Failure& f, const sim::Report&) { on_failure(f); }, progress);
}

CampaignSummary run_campaign(const std::vector<Target>& targets, const CampaignConfig& c,
                             const std::function<void(const Failure&, const sim::Report&)>& on_failure,
                             const CampaignProgress& progress) {
  auto start = std::chrono::steady_clock::now();  // real time, for the summary only
  CampaignSummary sum;
  sum.shard = c.shard;
  sum.config = c.explore;
  OnFailure every = [&](const Failure& f, const sim::Report& r) {
    on_failure(f, r);
    return true;
  };
  for (const Target& target : targets) {
    if (!target.expect.checkable()) {
      sum.skipped.push_back(target.name);
      continue;
    }
    ScenarioTally t = run_target(target, c, every, progress);
    sum.schedules += t.schedules;
    for (const auto& [v, n] : t.verdicts) sum.verdicts[v] += n;
    sum.expected_failures += t.expected_failures;
    sum.unexpected_failures += t.unexpected_failures;
    sum.scenarios.push_back(std::move(t));
  }
  sum.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return sum;
}

Judgement judge(const CampaignSummary& s, const std::vector<Failure>& failures, const ReplayCommand& replay) {
  // Enough lines to see what went wrong; the JSON lines have the rest.
  constexpr std::size_t kShown = 10;
  Judgement j;
  j.held = s.unexpected_failures == 0;
  std::size_t shown = 0;
  for (const Failure& f : failures) {
    if (f.expected) continue;
    if (shown++ == kShown) break;
    j.problems.push_back(fmt::format("unexpected failure: {} schedule {} (seed {}): {}\n    replay: {}", f.scenario,
                                     f.schedule, f.seed, f.message, replay(f.scenario, f.token)));
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

}  // namespace lockstep::exploration
