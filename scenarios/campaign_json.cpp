#include "scenarios/campaign_json.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace lockstep::scenarios {
namespace {

using Json = nlohmann::ordered_json;

Json counts_json(const VerdictCounts& counts) {
  Json j = Json::object();
  for (const auto& [v, n] : counts) j[sim::to_string(v)] = n;
  return j;
}

// Fields are read through these: each names the field it could not read.
[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument(what); }

const Json& field(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) bad(fmt::format("missing field \"{}\"", key));
  return *it;
}

std::uint64_t number(const Json& j, const char* key) {
  const Json& f = field(j, key);
  if (!f.is_number_unsigned()) bad(fmt::format("field \"{}\" is not a non-negative integer", key));
  return f.get<std::uint64_t>();
}

std::string text(const Json& j, const char* key) {
  const Json& f = field(j, key);
  if (!f.is_string()) bad(fmt::format("field \"{}\" is not a string", key));
  return f.get<std::string>();
}

sim::Verdict verdict_of(const std::string& name, const char* key) {
  for (sim::Verdict v : kVerdicts)
    if (sim::to_string(v) == name) return v;
  bad(fmt::format("field \"{}\": unknown verdict \"{}\"", key, name));
}

sim::Strategy::Kind strategy_kind(const std::string& name) {
  if (name == "random") return sim::Strategy::Kind::random;
  if (name == "pct") return sim::Strategy::Kind::pct;
  bad(fmt::format("field \"strategy\": \"{}\" is not random or pct", name));
}

VerdictCounts counts_of(const Json& j, const char* key) {
  const Json& f = field(j, key);
  if (!f.is_object()) bad(fmt::format("field \"{}\" is not an object", key));
  VerdictCounts counts = zero_counts();
  for (const auto& [name, n] : f.items()) {
    if (!n.is_number_unsigned()) bad(fmt::format("field \"{}\": count of \"{}\" is not a non-negative integer", key, name));
    counts[verdict_of(name, key)] = n.get<std::uint64_t>();
  }
  return counts;
}

Failure failure_of(const Json& j) {
  Failure f;
  f.scenario = text(j, "scenario");
  f.schedule = number(j, "schedule");
  f.seed = number(j, "seed");
  f.strategy = text(j, "strategy");
  f.verdict = verdict_of(text(j, "verdict"), "verdict");
  f.message = text(j, "message");
  f.token = text(j, "token");
  const Json& expected = field(j, "expected");
  if (!expected.is_boolean()) bad("field \"expected\" is not true or false");
  f.expected = expected.get<bool>();
  f.dump = text(j, "dump");
  return f;
}

ScenarioTally tally_of(const Json& j) {
  if (!j.is_object()) bad("field \"scenarios\": an entry is not an object");
  ScenarioTally t;
  t.name = text(j, "name");
  t.expects = verdict_of(text(j, "expects"), "expects");
  t.schedules = number(j, "schedules");
  t.verdicts = counts_of(j, "verdicts");
  t.expected_failures = number(j, "expected_failures");
  t.unexpected_failures = number(j, "unexpected_failures");
  return t;
}

CampaignSummary summary_of(const Json& j) {
  CampaignSummary s;
  s.shard = parse_shard(text(j, "shard"), "field \"shard\"");
  s.config.strategy = strategy_kind(text(j, "strategy"));
  if (s.config.strategy == sim::Strategy::Kind::pct) {
    // The ranges Strategy::pct() accepts (the CLI's --depth and --steps).
    std::uint64_t depth = number(j, "depth");
    if (depth < 1 || depth > 64) bad(fmt::format("field \"depth\": {} is not in 1..64", depth));
    s.config.pct_depth = static_cast<unsigned>(depth);
    s.config.pct_steps = number(j, "steps");
    if (s.config.pct_steps == 0) bad("field \"steps\": 0 is not at least 1");
  }
  s.config.seed = number(j, "seed");
  s.config.schedules = number(j, "schedules_per_scenario");
  s.schedules = number(j, "schedules");
  s.verdicts = counts_of(j, "verdicts");
  s.expected_failures = number(j, "expected_failures");
  s.unexpected_failures = number(j, "unexpected_failures");
  const Json& wall = field(j, "wall_seconds");
  if (!wall.is_number() || wall.get<double>() < 0) bad("field \"wall_seconds\" is not a non-negative number");
  s.wall_seconds = wall.get<double>();
  const Json& list = field(j, "scenarios");
  if (!list.is_array()) bad("field \"scenarios\" is not an array");
  for (const Json& t : list) s.scenarios.push_back(tally_of(t));
  return s;
}

}  // namespace

std::string to_json_line(const Failure& f) {
  Json j;
  j["type"] = "failure";
  j["scenario"] = f.scenario;
  j["schedule"] = f.schedule;
  j["seed"] = f.seed;
  j["strategy"] = f.strategy;
  j["verdict"] = sim::to_string(f.verdict);
  j["message"] = f.message;
  j["token"] = f.token;
  j["expected"] = f.expected;
  j["dump"] = f.dump;
  return j.dump();
}

std::string to_json_line(const CampaignSummary& s) {
  Json j;
  j["type"] = "summary";
  j["shard"] = to_string(s.shard);
  j["strategy"] = sim::to_string(s.config.strategy);
  if (s.config.strategy == sim::Strategy::Kind::pct) {
    j["depth"] = s.config.pct_depth;
    j["steps"] = s.config.pct_steps;
  }
  j["seed"] = s.config.seed;
  j["schedules_per_scenario"] = s.config.schedules;
  j["schedules"] = s.schedules;
  j["verdicts"] = counts_json(s.verdicts);
  j["expected_failures"] = s.expected_failures;
  j["unexpected_failures"] = s.unexpected_failures;
  // Milliseconds are plenty for a wall time, and keep the line short.
  j["wall_seconds"] = std::round(s.wall_seconds * 1000) / 1000;
  Json list = Json::array();
  for (const ScenarioTally& t : s.scenarios) {
    Json e;
    e["name"] = t.name;
    e["expects"] = sim::to_string(t.expects);
    e["schedules"] = t.schedules;
    e["verdicts"] = counts_json(t.verdicts);
    e["expected_failures"] = t.expected_failures;
    e["unexpected_failures"] = t.unexpected_failures;
    list.push_back(std::move(e));
  }
  j["scenarios"] = std::move(list);
  return j.dump();
}

CampaignLine parse_campaign_line(std::string_view line) {
  Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) bad("not a JSON object");
  std::string type = text(j, "type");
  if (type == "failure") return failure_of(j);
  if (type == "summary") return summary_of(j);
  bad(fmt::format("field \"type\": unknown line type \"{}\"", type));
}

}  // namespace lockstep::scenarios
