// A campaign as JSON lines: what the runner's `fuzz` and a sharded
// LOCKSTEP_FUZZ_CASE write, and `merge` reads and writes.
//
// One object per line (docs/campaigns.md has the full schema):
//   {"type":"failure","scenario":"mistakes/missing_receiver","schedule":0,"seed":3,
//    "strategy":"random","verdict":"deadlock","message":"deadlock: ...",
//    "token":"lockstep1:random:seed=3","expected":true,"dump":"goroutine dump ..."}
//   {"type":"summary","shard":"0/2","strategy":"random","seed":3,"schedules_per_scenario":5,
//    "schedules":3,"verdicts":{"passed":0,"deadlock":3,...},"expected_failures":3,
//    "unexpected_failures":0,"wall_seconds":0.002,"scenarios":[{"name":...,"expects":"deadlock",
//    "schedules":3,"verdicts":{...},"expected_failures":3,"unexpected_failures":0}],"skipped":[]}
// pct summaries also carry "depth" and "steps", dfs ones "bound_kind" and
// "bound"; every summary ends with "skipped", the targets not run (a list,
// possibly empty; a line without it reads as none skipped). Keys are written in a fixed
// order (nlohmann's ordered_json), so equal campaigns give equal bytes, but
// wall_seconds. Parsing checks every field's presence and type.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "exploration/campaign.hpp"

namespace lockstep::exploration {

// to_json_line() is one line, without its newline.
std::string to_json_line(const Failure& f);
std::string to_json_line(const CampaignSummary& s);

using CampaignLine = std::variant<Failure, CampaignSummary>;

// The most wall_seconds a summary may claim, merged or not: over 30 years,
// and a bound keeps every sum finite (JSON has no infinity to write).
inline constexpr double kWallSecondsMax = 1e9;

// parse_campaign_line() reads a line to_json_line() wrote; throws
// std::invalid_argument naming what is wrong: not a JSON object (and where
// it breaks off), a key given twice, a missing or mistyped field, a number
// outside its range (the CLI's flags' ranges; counts up to 2^64-1), an
// unknown type, verdict or strategy, a bad shard or replay token, a name
// that is empty or not one line. Every value it accepts, to_json_line()
// writes back (wall_seconds rounded to milliseconds).
CampaignLine parse_campaign_line(std::string_view line);

}  // namespace lockstep::exploration
