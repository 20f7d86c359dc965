#include "scenarios/merge.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "scenarios/campaign_json.hpp"

namespace lockstep::scenarios {
namespace {

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument(what); }

// What makes two shards parts of one campaign: these, and the same scenarios.
std::string campaign_of(const CampaignSummary& s) {
  return fmt::format("{}, seed {}, {} schedules per scenario", sim::describe(strategy_of(s.config)), s.config.seed,
                     s.config.schedules);
}

bool same_scenarios(const CampaignSummary& a, const CampaignSummary& b) {
  return std::equal(a.scenarios.begin(), a.scenarios.end(), b.scenarios.begin(), b.scenarios.end(),
                    [](const ScenarioTally& x, const ScenarioTally& y) { return x.name == y.name && x.expects == y.expects; });
}

// check_failures() holds a file's failure lines against its own summary.
void check_failures(const std::string& name, const Campaign& c) {
  std::uint64_t counted = c.summary.expected_failures + c.summary.unexpected_failures;
  if (c.failures.size() != counted)
    bad(fmt::format("{}: {} failure lines, but its summary counts {} failures", name, c.failures.size(), counted));
  for (const Failure& f : c.failures) {
    bool known = std::any_of(c.summary.scenarios.begin(), c.summary.scenarios.end(),
                             [&](const ScenarioTally& t) { return t.name == f.scenario; });
    if (!known) bad(fmt::format("{}: a failure of {}, which its summary does not list", name, f.scenario));
    if (!c.summary.shard.owns(f.schedule) || f.schedule >= c.summary.config.schedules)
      bad(fmt::format("{}: schedule {} of {} is not one of shard {}", name, f.schedule, f.scenario,
                      to_string(c.summary.shard)));
  }
}

void add(ScenarioTally& into, const ScenarioTally& t) {
  into.schedules += t.schedules;
  for (const auto& [v, n] : t.verdicts) into.verdicts[v] += n;
  into.expected_failures += t.expected_failures;
  into.unexpected_failures += t.unexpected_failures;
}

}  // namespace

Campaign read_campaign(const CampaignFile& file) {
  Campaign c;
  std::optional<std::size_t> summary_line;
  std::istringstream in(file.content);
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    if (summary_line) bad(fmt::format("{}:{}: a line after the summary (line {})", file.name, number, *summary_line));
    CampaignLine parsed;
    try {
      parsed = parse_campaign_line(line);
    } catch (const std::invalid_argument& e) {
      bad(fmt::format("{}:{}: {}", file.name, number, e.what()));
    }
    if (auto* f = std::get_if<Failure>(&parsed)) {
      c.failures.push_back(std::move(*f));
    } else {
      c.summary = std::move(std::get<CampaignSummary>(parsed));
      summary_line = number;
    }
  }
  if (!summary_line) bad(fmt::format("{}: no summary line (was the shard cut short?)", file.name));
  check_failures(file.name, c);
  return c;
}

Campaign merge_campaigns(const std::vector<CampaignFile>& files) {
  if (files.empty()) bad("nothing to merge");
  std::vector<Campaign> parts;
  for (const CampaignFile& f : files) parts.push_back(read_campaign(f));

  const CampaignSummary& first = parts.front().summary;
  std::map<std::uint64_t, std::size_t> file_of_index;  // shard index -> position in `files`
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const CampaignSummary& s = parts[i].summary;
    if (campaign_of(s) != campaign_of(first))
      bad(fmt::format("{} and {} are shards of different campaigns: {} / {}", files.front().name, files[i].name,
                      campaign_of(first), campaign_of(s)));
    if (!same_scenarios(s, first))
      bad(fmt::format("{} and {} are shards of different campaigns: they ran different scenarios",
                      files.front().name, files[i].name));
    if (s.shard.count != first.shard.count)
      bad(fmt::format("{} is shard {} but {} is shard {}: the shard counts differ", files.front().name,
                      to_string(first.shard), files[i].name, to_string(s.shard)));
    auto [at, fresh] = file_of_index.emplace(s.shard.index, i);
    if (!fresh)
      bad(fmt::format("shard {} given twice: {} and {}", to_string(s.shard), files[at->second].name, files[i].name));
  }
  std::string missing;
  for (std::uint64_t i = 0; i < first.shard.count; ++i)
    if (!file_of_index.contains(i)) missing += fmt::format("{}{}", missing.empty() ? "" : ", ", to_string(Shard{i, first.shard.count}));
  if (!missing.empty()) bad(fmt::format("missing shards: {} (of {} given)", missing, files.size()));

  Campaign whole;
  CampaignSummary& sum = whole.summary;
  sum.config = first.config;
  sum.scenarios = first.scenarios;
  for (ScenarioTally& t : sum.scenarios) t = ScenarioTally{t.name, t.expects};
  for (Campaign& part : parts) {
    const CampaignSummary& s = part.summary;
    sum.schedules += s.schedules;
    for (const auto& [v, n] : s.verdicts) sum.verdicts[v] += n;
    sum.expected_failures += s.expected_failures;
    sum.unexpected_failures += s.unexpected_failures;
    sum.wall_seconds += s.wall_seconds;
    for (std::size_t i = 0; i < s.scenarios.size(); ++i) add(sum.scenarios[i], s.scenarios[i]);
    for (Failure& f : part.failures) whole.failures.push_back(std::move(f));
  }
  std::sort(whole.failures.begin(), whole.failures.end(), [](const Failure& a, const Failure& b) {
    return std::tie(a.scenario, a.schedule) < std::tie(b.scenario, b.schedule);
  });
  return whole;
}

}  // namespace lockstep::scenarios
