// The runner's campaign commands, `fuzz` and `merge` (run_cli() parses their
// flags and calls these; docs/campaigns.md is the user's guide).
//
//   lockstep-scenarios fuzz [NAME|GROUP/ ...] --strategy random|pct --schedules N --seed S
//                           [--shard i/n] [--out FILE] [--no-dump]
//   lockstep-scenarios merge FILE... [--out FILE]
//
// Both write JSON lines (exploration/campaign_json.hpp) to FILE or `out`,
// and their result in one human line on `err`. Status: 0 when every outcome
// met its scenario's expectation (exploration/campaign.hpp, judge()), 1 when one did not, 2 for
// bad input (unknown scenario, bad shard flag or environment, unwritable
// output, unreadable or inconsistent shard files).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "exploration/campaign.hpp"
#include "exploration/shard.hpp"

namespace lockstep::scenarios {

struct FuzzRequest {
  std::vector<std::string> names;    // scenarios or groups; none: the whole catalog
  exploration::CampaignConfig config;  // its shard is chosen from `shard` and the environment
  std::optional<std::string> shard;  // the --shard text, if given
  std::string out_path;              // "": write to `out`
};

int fuzz_command(const FuzzRequest& request, std::ostream& out, std::ostream& err, const exploration::Env& env);

int merge_command(const std::vector<std::string>& paths, const std::string& out_path, std::ostream& out,
                  std::ostream& err);

}  // namespace lockstep::scenarios
