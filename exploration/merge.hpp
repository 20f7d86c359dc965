// Merging the shards of a campaign into the whole campaign.
//
//   Campaign whole = merge_campaigns({{"shard0.jsonl", text0}, {"shard1.jsonl", text1}});
//   Judgement j = judge(whole.summary, whole.failures);
//
// Each file is what one shard wrote (the runner's `fuzz`, or a sharded
// LOCKSTEP_FUZZ_CASE): failure lines, then its summary line, last. The files
// must be the shards 0/n .. n-1/n of one campaign (same strategy, pct depth
// and steps, seed, schedules per scenario, scenarios run and skipped), each
// exactly once. Nothing here knows the catalog: any target's shards merge. The merge is that campaign as if run
// unsharded: shard 0/1, every count summed, failures sorted by scenario name
// then schedule, wall_seconds the sum of the shards' (their cost, not the
// campaign's latency). Merging a merge with nothing else gives it back.
#pragma once

#include <string>
#include <vector>

#include "exploration/campaign.hpp"

namespace lockstep::exploration {

struct CampaignFile {
  std::string name;     // for messages: the path given
  std::string content;  // its JSON lines
};

struct Campaign {
  std::vector<Failure> failures;
  CampaignSummary summary;
};

// read_campaign() parses one file; throws std::invalid_argument naming the
// file and line: a malformed line (campaign_json.hpp), no summary, a line
// after the summary, a summary whose counts do not add up (each scenario
// runs the schedules its shard owns, each has one verdict, each failing one
// is expected or unexpected, the totals are the scenarios' sums), failure
// lines that disagree with it (their count per scenario, shard, strategy or
// seed, a schedule given twice).
Campaign read_campaign(const CampaignFile& file);

// merge_campaigns() reads and merges; throws std::invalid_argument naming
// what is wrong: a bad file, two campaigns, a shard given twice, the shards
// missing (all of them listed).
Campaign merge_campaigns(const std::vector<CampaignFile>& files);

}  // namespace lockstep::exploration
