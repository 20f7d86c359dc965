#include "scenarios/explore.hpp"

#include <fmt/format.h>

#include "scenarios/catalog.hpp"

namespace lockstep::scenarios {

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

Exploration explore_dfs(Exploration e, const Progress& progress) {
  const Scenario& s = *e.scenario;
  sim::DfsResult r = search_dfs(s, dfs_config(e.config, e.config.schedules), [&](std::uint64_t done) {
    if (progress) progress(done, e.config.schedules);
  });
  e.schedules_run = r.schedules;
  e.dfs_summary = r.summary();
  if (std::uint64_t passed = r.schedules - (r.failure ? 1 : 0)) e.verdicts[sim::Verdict::passed] = passed;
  if (r.failure) {
    ++e.verdicts[r.failure->verdict];
    if (s.expect.buggy() && matches(s.expect, *r.failure)) e.first_match = r.failure_schedule;
    e.first_failure_schedule = r.failure_schedule;
    e.first_failure = std::move(r.failure);
  }
  e.held = s.expect.buggy() ? e.first_match.has_value() : !e.first_failure.has_value();
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

sim::DfsResult search_dfs(const Scenario& s, const sim::DfsConfig& d, const std::function<void(std::uint64_t)>& done) {
  return sim::explore_dfs([&](const sim::Strategy& st) { return run_schedule(s, st, 0); }, d, done);
}

std::string describe_strategy(const ExploreConfig& c) {
  if (c.strategy != sim::Strategy::Kind::dfs) return sim::describe(strategy_of(c));
  return fmt::format("dfs({} bound {})", sim::to_string(c.dfs_kind), c.dfs_bound);
}

Exploration explore(const Scenario& s, const ExploreConfig& c, const Progress& progress) {
  Exploration e;
  e.scenario = &s;
  e.config = c;
  if (!s.expect.checkable()) {
    e.skipped = e.held = true;
    return e;
  }
  if (c.strategy == sim::Strategy::Kind::dfs) return explore_dfs(std::move(e), progress);
  sim::Strategy strategy = strategy_of(c);
  std::uint64_t planned = c.strategy == sim::Strategy::Kind::fifo ? std::min<std::uint64_t>(c.schedules, 1) : c.schedules;
  bool other_failure = false;
  for (std::uint64_t i = 0; i < planned; ++i) {
    sim::Report r = run_schedule(s, strategy, c.seed + i);
    if (i < kAdaptWarmup) strategy.adapt(r.steps);
    ++e.verdicts[r.verdict];
    ++e.schedules_run;
    if (!r.passed()) {
      bool match = s.expect.buggy() && matches(s.expect, r);
      if (match && !e.first_match) e.first_match = i;
      if (!match) other_failure = true;
      if (!e.first_failure) {
        e.first_failure_schedule = i;
        e.first_failure = std::move(r);
      }
    }
    if (progress) progress(i + 1, planned);
  }
  e.held = s.expect.buggy() ? (e.first_match.has_value() && !other_failure) : e.verdicts.size() == 1 && e.verdicts.count(sim::Verdict::passed) == 1;
  if (planned == 0) e.held = !s.expect.buggy();
  return e;
}

namespace {

std::string indent(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += "    " + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string render(const Exploration& e, bool dump) {
  const Scenario& s = *e.scenario;
  if (e.skipped)
    return fmt::format("skip {}  expects {}: only the race-detector build (LOCKSTEP_RACE_DETECTOR) sees data races\n",
                       s.name, s.expect.describe());
  std::string verdicts;
  for (const auto& [v, n] : e.verdicts) verdicts += fmt::format("{}{} {}", verdicts.empty() ? "" : ", ", sim::to_string(v), n);
  std::string out = fmt::format("{} {}  expects {}\n", e.held ? "ok  " : "FAIL", s.name, s.expect.describe());
  out += fmt::format("  {} schedule{} ({}, seed {}): {}\n", e.schedules_run, e.schedules_run == 1 ? "" : "s",
                     describe_strategy(e.config),
                     e.config.seed, verdicts.empty() ? "none" : verdicts);
  if (!e.dfs_summary.empty()) out += fmt::format("  {}\n", e.dfs_summary);
  if (s.expect.buggy()) {
    out += e.first_match ? fmt::format("  caught on schedule {}\n", *e.first_match + 1)
                         : std::string("  NOT caught: the expected verdict never showed\n");
  }
  if (e.first_failure) {
    const sim::Report& r = *e.first_failure;
    out += fmt::format("  first failure, schedule {}: {}\n", e.first_failure_schedule + 1, r.message);
    out += fmt::format("  replay: {}\n", replay_command(s.name, r.replay_token));
    if (dump) out += indent(r.dump());
  }
  return out;
}

}  // namespace lockstep::scenarios
