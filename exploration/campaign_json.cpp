#include "exploration/campaign_json.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <vector>

#include "sim/input.hpp"

namespace lockstep::exploration {
namespace {

// Written with ordered_json (fixed key order: equal campaigns, equal bytes);
// read with json, whose std::map finds a key in O(log n) however many keys a
// hostile line holds (ordered_json's lookups and inserts are linear).
using Json = nlohmann::ordered_json;
using ReadJson = nlohmann::json;

// dump() is one line of JSON. A message or dump from a test body may hold
// invalid UTF-8, which nlohmann refuses to write by default (an exception
// that would end the campaign): each bad byte becomes U+FFFD instead.
std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

Json counts_json(const VerdictCounts& counts) {
  Json j = Json::object();
  for (const auto& [v, n] : counts) j[sim::to_string(v)] = n;
  return j;
}

// Fields are read through these: each names the field it could not read.
[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument(what); }

const ReadJson& field(const ReadJson& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) bad(fmt::format("missing field \"{}\"", key));
  return *it;
}

// shown() is a value as a message quotes it: scalars as written, containers
// by kind (dumping one would recurse as deep as a hostile line nests).
std::string shown(const ReadJson& v) {
  if (v.is_string()) return sim::quote(v.get_ref<const std::string&>());
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return v.dump();
}

// whole() is a JSON whole number in [min, max] ("-0", which nlohmann reads
// as a signed zero, included).
std::optional<std::uint64_t> whole(const ReadJson& v, std::uint64_t min, std::uint64_t max) {
  std::optional<std::uint64_t> n;
  if (v.is_number_unsigned()) n = v.get<std::uint64_t>();
  if (v.is_number_integer() && v.get<std::int64_t>() == 0) n = 0;
  if (n && (*n < min || *n > max)) n.reset();
  return n;
}

std::uint64_t number(const ReadJson& j, const char* key, std::uint64_t min = 0, std::uint64_t max = sim::kU64Max) {
  const ReadJson& f = field(j, key);
  auto n = whole(f, min, max);
  if (!n) bad(sim::not_in_range(fmt::format("field \"{}\"", key), min, max, shown(f)));
  return *n;
}

std::string text(const ReadJson& j, const char* key) {
  const ReadJson& f = field(j, key);
  if (!f.is_string()) bad(fmt::format("field \"{}\" must be a string, not {}", key, shown(f)));
  return f.get<std::string>();
}

// name() is a text the human report prints on its own line: non-empty, and
// nothing in it that would break the line.
std::string name(const ReadJson& j, const char* key) {
  std::string value = text(j, key);
  if (value.empty() || sim::printable(value) != value)
    bad(fmt::format("field \"{}\" must be a non-empty line of text, not {}", key, sim::quote(value)));
  return value;
}

sim::Verdict verdict_of(const std::string& name, const char* key) {
  for (sim::Verdict v : kVerdicts)
    if (sim::to_string(v) == name) return v;
  bad(fmt::format("field \"{}\": unknown verdict {}", key, sim::quote(name)));
}

// A campaign explores: fifo (one schedule) and replay are not campaigns.
sim::Strategy::Kind strategy_kind(const std::string& name) {
  auto kind = parse_strategy(name);
  if (!kind || *kind == sim::Strategy::Kind::fifo)
    bad(fmt::format("field \"strategy\" must be random, pct, dfs, pos or portfolio, not {}", sim::quote(name)));
  return *kind;
}

VerdictCounts counts_of(const ReadJson& j, const char* key) {
  const ReadJson& f = field(j, key);
  if (!f.is_object()) bad(fmt::format("field \"{}\" must be an object, not {}", key, shown(f)));
  VerdictCounts counts = zero_counts();
  for (const auto& [verdict, n] : f.items()) {
    auto count = whole(n, 0, sim::kU64Max);
    if (!count)
      bad(sim::not_in_range(fmt::format("field \"{}\": count of {}", key, sim::quote(verdict)), 0, sim::kU64Max,
                            shown(n)));
    counts[verdict_of(verdict, key)] = *count;
  }
  return counts;
}

Failure failure_of(const ReadJson& j) {
  Failure f;
  f.scenario = name(j, "scenario");
  f.schedule = number(j, "schedule", 0, kSchedulesMax - 1);
  f.seed = number(j, "seed");
  f.strategy = sim::to_string(strategy_kind(text(j, "strategy")));
  f.verdict = verdict_of(text(j, "verdict"), "verdict");
  if (f.verdict == sim::Verdict::passed) bad("field \"verdict\": a failure cannot have passed");
  f.message = text(j, "message");
  f.token = text(j, "token");
  // The report prints it as a command to paste: it must be a token.
  sim::Strategy strategy = sim::Strategy::fifo();
  std::uint64_t seed = 0;
  if (auto why = sim::try_parse_token(f.token, strategy, seed)) bad(fmt::format("field \"token\": {}", *why));
  const ReadJson& expected = field(j, "expected");
  if (!expected.is_boolean()) bad(fmt::format("field \"expected\" must be true or false, not {}", shown(expected)));
  f.expected = expected.get<bool>();
  f.dump = text(j, "dump");
  return f;
}

ScenarioTally tally_of(const ReadJson& j) {
  if (!j.is_object()) bad(fmt::format("field \"scenarios\": an entry must be an object, not {}", shown(j)));
  ScenarioTally t;
  t.name = name(j, "name");
  t.expects = verdict_of(text(j, "expects"), "expects");
  t.schedules = number(j, "schedules", 0, kSchedulesMax);
  t.verdicts = counts_of(j, "verdicts");
  t.expected_failures = number(j, "expected_failures");
  t.unexpected_failures = number(j, "unexpected_failures");
  return t;
}

// skipped_of() is the optional "skipped" list (absent: none skipped, as
// files written before it existed say): names, each once.
std::vector<std::string> skipped_of(const ReadJson& j) {
  std::vector<std::string> names;
  auto it = j.find("skipped");
  if (it == j.end()) return names;
  if (!it->is_array()) bad(fmt::format("field \"skipped\" must be an array, not {}", shown(*it)));
  std::set<std::string> seen;
  for (const ReadJson& n : *it) {
    if (!n.is_string()) bad(fmt::format("field \"skipped\": an entry must be a string, not {}", shown(n)));
    const std::string& value = n.get_ref<const std::string&>();
    if (value.empty() || sim::printable(value) != value)
      bad(fmt::format("field \"skipped\": an entry must be a non-empty line of text, not {}", sim::quote(value)));
    if (!seen.insert(value).second) bad(fmt::format("field \"skipped\": {} listed twice", sim::quote(value)));
    names.push_back(value);
  }
  return names;
}

CampaignSummary summary_of(const ReadJson& j) {
  CampaignSummary s;
  s.shard = parse_shard(text(j, "shard"), "field \"shard\"");
  s.config.strategy = strategy_kind(text(j, "strategy"));
  if (s.config.strategy == sim::Strategy::Kind::pct) {
    // The ranges Strategy::pct() accepts (the CLI's --depth and --steps);
    // steps 0 is the adaptive bound (sim::kPctStepsAdaptive).
    s.config.pct_depth = static_cast<unsigned>(number(j, "depth", 1, sim::kPctDepthMax));
    s.config.pct_steps = number(j, "steps", sim::kPctStepsAdaptive);
  }
  if (s.config.strategy == sim::Strategy::Kind::dfs) {
    std::string kind = text(j, "bound_kind");
    if (kind != "delay" && kind != "preemption")
      bad(fmt::format("field \"bound_kind\" must be delay or preemption, not {}", sim::quote(kind)));
    s.config.dfs_kind = kind == "delay" ? sim::Bound::delays : sim::Bound::preemptions;
    s.config.dfs_bound = static_cast<unsigned>(number(j, "bound", 0, kDfsBoundMax));
  }
  s.config.seed = number(j, "seed");
  s.config.schedules = number(j, "schedules_per_scenario", 1, kSchedulesMax);
  s.schedules = number(j, "schedules");
  s.verdicts = counts_of(j, "verdicts");
  s.expected_failures = number(j, "expected_failures");
  s.unexpected_failures = number(j, "unexpected_failures");
  const ReadJson& wall = field(j, "wall_seconds");
  if (!wall.is_number() || !(wall.get<double>() >= 0 && wall.get<double>() <= kWallSecondsMax))
    bad(fmt::format("field \"wall_seconds\" must be a number in 0..{}, not {}", kWallSecondsMax, shown(wall)));
  s.wall_seconds = wall.get<double>();
  const ReadJson& list = field(j, "scenarios");
  if (!list.is_array()) bad(fmt::format("field \"scenarios\" must be an array, not {}", shown(list)));
  for (const ReadJson& t : list) s.scenarios.push_back(tally_of(t));
  s.skipped = skipped_of(j);
  return s;
}

// parse_object() parses one line as a JSON object, refusing a key given
// twice in any object (JSON leaves it open; nlohmann keeps the last one,
// which would hide a mangled line), and saying where a line breaks off.
ReadJson parse_object(std::string_view line) {
  std::vector<std::set<std::string>> keys;  // of each object open at this point
  std::string twice;
  auto check_keys = [&](int, ReadJson::parse_event_t event, ReadJson& parsed) {
    if (event == ReadJson::parse_event_t::object_start) keys.emplace_back();
    if (event == ReadJson::parse_event_t::object_end) keys.pop_back();
    if (event == ReadJson::parse_event_t::key && !keys.back().insert(parsed.get<std::string>()).second &&
        twice.empty())
      twice = parsed.get<std::string>();
    return true;
  };
  ReadJson j;
  try {
    j = ReadJson::parse(line, check_keys);
  } catch (const ReadJson::parse_error& e) {  // e.byte: the column it stopped at, from 1
    if (e.byte > line.size()) bad("not a JSON object: the line ends inside a value (cut short?)");
    bad(fmt::format("not a JSON object: invalid JSON near column {}", e.byte));
  } catch (const ReadJson::out_of_range&) {  // the one other error of the parser
    bad("not a JSON object: a number too large for a double");
  }
  if (!j.is_object()) bad(fmt::format("not a JSON object, but {}", j.is_array() ? "an array" : "a single value"));
  if (!twice.empty()) bad(fmt::format("field {} given twice", sim::quote(twice)));
  return j;
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
  return dump(j);
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
  if (s.config.strategy == sim::Strategy::Kind::dfs) {
    j["bound_kind"] = sim::to_string(s.config.dfs_kind);
    j["bound"] = s.config.dfs_bound;
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
  j["skipped"] = s.skipped;
  return dump(j);
}

CampaignLine parse_campaign_line(std::string_view line) {
  ReadJson j = parse_object(line);
  std::string type = text(j, "type");
  if (type == "failure") return failure_of(j);
  if (type == "summary") return summary_of(j);
  bad(fmt::format("field \"type\" must be failure or summary, not {}", sim::quote(type)));
}

}  // namespace lockstep::exploration
