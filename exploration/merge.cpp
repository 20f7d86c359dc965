#include "exploration/merge.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "exploration/campaign_json.hpp"

namespace lockstep::exploration {
namespace {

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument(what); }

// What makes two shards parts of one campaign: these, and the same scenarios.
std::string campaign_of(const CampaignSummary& s) {
  return fmt::format("{}, seed {}, {} schedules per scenario", describe_strategy(s.config), s.config.seed,
                     s.config.schedules);
}

bool same_scenarios(const CampaignSummary& a, const CampaignSummary& b) {
  return a.skipped == b.skipped &&
         std::equal(a.scenarios.begin(), a.scenarios.end(), b.scenarios.begin(), b.scenarios.end(),
                    [](const ScenarioTally& x, const ScenarioTally& y) { return x.name == y.name && x.expects == y.expects; });
}

// Sum: a running total that refuses to wrap (hostile counts near 2^64).
struct Sum {
  std::uint64_t value = 0;
  bool wrapped = false;
  void add(std::uint64_t n) { wrapped = wrapped || __builtin_add_overflow(value, n, &value); }
  bool is(std::uint64_t n) const { return !wrapped && value == n; }
};

// check_summary() holds a summary's counts against its campaign: each
// scenario ran exactly the schedules its shard owns (at most, under dfs), each schedule has one
// verdict, each failing one is an expected or an unexpected failure, and the
// totals are the sums of the scenarios'. So the merge of valid shards is a
// valid campaign, and no sum can wrap.
void check_summary(const std::string& name, const CampaignSummary& s) {
  std::set<std::string_view> names;
  Sum schedules, expected, unexpected;
  std::map<sim::Verdict, Sum> verdicts;
  for (const ScenarioTally& t : s.scenarios) {
    auto wrong = [&](const std::string& what) { bad(fmt::format("{}: the summary of {}: {}", name, t.name, what)); };
    if (!names.insert(t.name).second) wrong("listed twice");
    std::uint64_t owned = s.shard.owned(s.config.schedules);
    // A systematic search may end sooner: explored, or stopped at a failure.
    bool dfs = s.config.strategy == sim::Strategy::Kind::dfs;
    if (dfs ? t.schedules > owned : t.schedules != owned)
      wrong(fmt::format("{} schedules, but shard {} of {} schedules runs {}{}", t.schedules, to_string(s.shard),
                        s.config.schedules, dfs ? "at most " : "", owned));
    Sum judged, failed;
    for (const auto& [v, n] : t.verdicts) judged.add(n);
    if (!judged.is(t.schedules)) wrong(fmt::format("its verdicts do not add up to its {} schedules", t.schedules));
    failed.add(t.expected_failures);
    failed.add(t.unexpected_failures);
    if (!failed.is(t.schedules - t.verdicts.at(sim::Verdict::passed)))
      wrong("its expected and unexpected failures do not add up to its schedules that did not pass");
    if (t.expects == sim::Verdict::passed && t.expected_failures != 0)
      wrong("it expects to pass, so none of its failures can be expected");
    schedules.add(t.schedules);
    for (const auto& [v, n] : t.verdicts) verdicts[v].add(n);
    expected.add(t.expected_failures);
    unexpected.add(t.unexpected_failures);
  }
  for (const std::string& skipped : s.skipped)
    if (names.contains(skipped))
      bad(fmt::format("{}: the summary lists {} as run and as skipped", name, skipped));
  bool totals = schedules.is(s.schedules) && expected.is(s.expected_failures) && unexpected.is(s.unexpected_failures);
  for (const auto& [v, n] : s.verdicts) totals = totals && verdicts[v].is(n);
  if (!totals) bad(fmt::format("{}: the summary's totals are not the sums of its scenarios'", name));
}

// check_failures() holds a file's failure lines against its own summary:
// each is a schedule of a listed scenario that the shard owns, run with the
// campaign's strategy and seed, given once, and they are the failures the
// summary counts, scenario by scenario.
void check_failures(const std::string& name, const Campaign& c) {
  const CampaignSummary& s = c.summary;
  std::uint64_t counted = s.expected_failures + s.unexpected_failures;  // no wrap: check_summary()
  if (c.failures.size() != counted)
    bad(fmt::format("{}: {} failure lines, but its summary counts {} failures", name, c.failures.size(), counted));
  std::map<std::string_view, std::pair<std::uint64_t, std::uint64_t>> seen;  // scenario -> (expected, unexpected)
  std::set<std::pair<std::string_view, std::uint64_t>> schedules;
  for (const Failure& f : c.failures) {
    bool known = std::any_of(s.scenarios.begin(), s.scenarios.end(),
                             [&](const ScenarioTally& t) { return t.name == f.scenario; });
    if (!known) bad(fmt::format("{}: a failure of {}, which its summary does not list", name, f.scenario));
    if (!s.shard.owns(f.schedule) || f.schedule >= s.config.schedules)
      bad(fmt::format("{}: schedule {} of {} is not one of shard {}", name, f.schedule, f.scenario,
                      to_string(s.shard)));
    if (!schedules.emplace(f.scenario, f.schedule).second)
      bad(fmt::format("{}: schedule {} of {} fails twice", name, f.schedule, f.scenario));
    if (f.strategy != sim::to_string(s.config.strategy) || f.seed != s.config.seed + f.schedule)
      bad(fmt::format("{}: schedule {} of {} ran {} with seed {}, not the campaign's {} with seed {}", name,
                      f.schedule, f.scenario, f.strategy, f.seed, sim::to_string(s.config.strategy),
                      s.config.seed + f.schedule));
    ++(f.expected ? seen[f.scenario].first : seen[f.scenario].second);
  }
  for (const ScenarioTally& t : s.scenarios) {
    auto [expected, unexpected] = seen[t.name];
    if (expected != t.expected_failures || unexpected != t.unexpected_failures)
      bad(fmt::format("{}: {} has {} expected and {} unexpected failure lines, but its summary counts {} and {}",
                      name, t.name, expected, unexpected, t.expected_failures, t.unexpected_failures));
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
  check_summary(file.name, c.summary);
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
  sum.skipped = first.skipped;
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
  if (sum.wall_seconds > kWallSecondsMax)
    bad(fmt::format("the shards' wall_seconds add up to {}, more than the {} a summary may hold", sum.wall_seconds,
                    kWallSecondsMax));
  std::sort(whole.failures.begin(), whole.failures.end(), [](const Failure& a, const Failure& b) {
    return std::tie(a.scenario, a.schedule) < std::tie(b.scenario, b.schedule);
  });
  return whole;
}

}  // namespace lockstep::exploration
