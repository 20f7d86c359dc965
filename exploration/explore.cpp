#include "exploration/explore.hpp"

#include <fmt/format.h>

#include <array>

namespace lockstep::exploration {

std::optional<sim::Strategy::Kind> parse_strategy(std::string_view name) {
  using Kind = sim::Strategy::Kind;
  for (Kind k : std::array{Kind::fifo, Kind::random, Kind::pct, Kind::dfs, Kind::pos, Kind::portfolio})
    if (sim::to_string(k) == name) return k;
  return std::nullopt;
}

ExploreConfig config_of(const sim::Strategy& s, std::uint64_t schedules, std::uint64_t seed) {
  if (s.kind() == sim::Strategy::Kind::replay)
    throw Misuse("exploration: a replay strategy runs one schedule; explore with fifo, random, pct, dfs, pos or portfolio");
  ExploreConfig c;
  c.strategy = s.kind();
  c.schedules = schedules;
  c.seed = seed;
  if (s.kind() == sim::Strategy::Kind::pct) {
    c.pct_depth = s.pct_depth();
    c.pct_steps = s.pct_adaptive() ? sim::kPctStepsAdaptive : s.pct_steps();
  }
  return c;
}

sim::Strategy strategy_of(const ExploreConfig& c) {
  switch (c.strategy) {
    case sim::Strategy::Kind::random: return sim::Strategy::random();
    case sim::Strategy::Kind::pct: return sim::Strategy::pct(c.pct_depth, c.pct_steps);
    case sim::Strategy::Kind::dfs: return sim::Strategy::dfs();
    case sim::Strategy::Kind::pos: return sim::Strategy::pos();
    case sim::Strategy::Kind::portfolio: return sim::Strategy::portfolio();
    default: return sim::Strategy::fifo();
  }
}

namespace {

Exploration explore_dfs(const Target& t, Exploration e, const Progress& progress) {
  sim::DfsResult r = search_dfs(t, dfs_config(e.config, e.config.schedules), [&](std::uint64_t done) {
    if (progress) progress(done, e.config.schedules);
  });
  e.schedules_run = r.schedules;
  e.dfs_summary = r.summary();
  if (std::uint64_t passed = r.schedules - (r.failure ? 1 : 0)) e.verdicts[sim::Verdict::passed] = passed;
  if (r.failure) {
    ++e.verdicts[r.failure->verdict];
    if (t.expect.buggy() && matches(t.expect, *r.failure)) e.first_match = r.failure_schedule;
    e.first_failure_schedule = r.failure_schedule;
    e.first_failure = std::move(r.failure);
  }
  e.held = t.expect.buggy() ? e.first_match.has_value() : !e.first_failure.has_value();
  return e;
}

}  // namespace

sim::DfsConfig dfs_config(const ExploreConfig& c, std::uint64_t max_schedules) {
  sim::DfsConfig d;
  d.kind = c.dfs_kind;
  d.bound = c.dfs_bound;
  d.max_schedules = max_schedules;
  return d;
}

sim::DfsResult search_dfs(const Target& t, const sim::DfsConfig& d, const std::function<void(std::uint64_t)>& done) {
  std::uint64_t k = 0;  // the search's schedules in order: which ones self-check
  return sim::explore_dfs([&](const sim::Strategy& st) { return run_schedule(t, st, 0, k++); }, d, done);
}

std::string describe_strategy(const ExploreConfig& c) {
  if (c.strategy != sim::Strategy::Kind::dfs) return sim::describe(strategy_of(c));
  return fmt::format("dfs({} bound {})", sim::to_string(c.dfs_kind), c.dfs_bound);
}

Exploration explore(const Target& t, const ExploreConfig& c, const Progress& progress) {
  Exploration e;
  e.target = t.name;
  e.expect = t.expect;
  e.config = c;
  if (!t.expect.checkable()) {
    e.skipped = e.held = true;
    return e;
  }
  if (c.strategy == sim::Strategy::Kind::dfs) return explore_dfs(t, std::move(e), progress);
  sim::Strategy strategy = strategy_of(c);
  std::uint64_t planned = c.strategy == sim::Strategy::Kind::fifo ? std::min<std::uint64_t>(c.schedules, 1) : c.schedules;
  bool other_failure = false;
  for (std::uint64_t i = 0; i < planned; ++i) {
    sim::Report r = run_schedule(t, strategy, c.seed + i, i);
    if (i < kAdaptWarmup) strategy.adapt(r.steps);
    sim::Verdict v = tallied(t, r);
    ++e.verdicts[v];
    ++e.schedules_run;
    if (v != sim::Verdict::passed) {
      bool match = t.expect.buggy() && matches(t.expect, r);
      if (match && !e.first_match) e.first_match = i;
      if (!match) other_failure = true;
      if (!e.first_failure) {
        e.first_failure_schedule = i;
        e.first_failure = std::move(r);
      }
    }
    if (progress) progress(i + 1, planned);
  }
  e.held = t.expect.buggy() ? (e.first_match.has_value() && !other_failure) : e.verdicts.size() == 1 && e.verdicts.count(sim::Verdict::passed) == 1;
  if (planned == 0) e.held = !t.expect.buggy();
  return e;
}

}  // namespace lockstep::exploration
