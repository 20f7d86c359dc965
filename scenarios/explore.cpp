#include "scenarios/explore.hpp"

#include <fmt/format.h>

#include "scenarios/catalog.hpp"
#include "testing/failure.hpp"

namespace lockstep::scenarios {

Exploration explore(const Scenario& s, const ExploreConfig& c, const exploration::Progress& progress) {
  return exploration::explore(s.target(), c, progress);
}

std::vector<exploration::Target> targets(const std::vector<const Scenario*>& scenarios) {
  std::vector<exploration::Target> out;
  out.reserve(scenarios.size());
  for (const Scenario* s : scenarios) out.push_back(s->target());
  return out;
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
  if (e.skipped)
    return fmt::format("skip {}  expects {}: only the race-detector build (LOCKSTEP_RACE_DETECTOR) sees data races\n",
                       e.target, e.expect.describe());
  std::string verdicts;
  for (const auto& [v, n] : e.verdicts) verdicts += fmt::format("{}{} {}", verdicts.empty() ? "" : ", ", sim::to_string(v), n);
  std::string out = fmt::format("{} {}  expects {}\n", e.held ? "ok  " : "FAIL", e.target, e.expect.describe());
  out += fmt::format("  {} schedule{} ({}, seed {}): {}\n", e.schedules_run, e.schedules_run == 1 ? "" : "s",
                     exploration::describe_strategy(e.config),
                     e.config.seed, verdicts.empty() ? "none" : verdicts);
  if (!e.dfs_summary.empty()) out += fmt::format("  {}\n", e.dfs_summary);
  if (e.expect.buggy()) {
    out += e.first_match ? fmt::format("  caught on schedule {}\n", *e.first_match + 1)
                         : std::string("  NOT caught: the expected verdict never showed\n");
  }
  if (e.first_failure) {
    const sim::Report& r = *e.first_failure;
    out += fmt::format("  first failure, schedule {}: {}\n", e.first_failure_schedule + 1, r.message);
    out += fmt::format("  replay: {}\n", replay_command(e.target, r.replay_token));
    if (dump) out += indent(r.dump());
  }
  return out;
}

std::string replay_any(std::string_view target, std::string_view token) {
  if (find_scenario(target) != nullptr) return replay_command(target, token);
  return testing::replay_command(token, "<test binary>", target);
}

}  // namespace lockstep::scenarios
