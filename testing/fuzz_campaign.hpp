// A fuzz case as a campaign: LOCKSTEP_FUZZ_CASE's schedules as one shard of
// a campaign (exploration/campaign.hpp), written as the JSON lines the
// runner's `fuzz` writes, so that shards of a user's test merge with the
// same `merge` (docs/campaigns.md). Needs no test framework: testing/catch.hpp
// calls it.
//
// What a fuzz case reads from the environment (an empty variable is unset):
//   TEST_TOTAL_SHARDS, TEST_SHARD_INDEX   GoogleTest's and Bazel's sharding (both or neither)
//   LOCKSTEP_SHARD=i/n                     a shard by hand (Catch2 v2 has no --shard flag);
//                                          with the variables above, both must agree
//   TEST_SHARD_STATUS_FILE                 touched: Bazel's "this binary shards"
//   LOCKSTEP_CAMPAIGN_DIR=dir              write dir/<test>.jsonl (unsharded) or
//                                          dir/<test>.shard-<i>-of-<n>.jsonl
// <test> is the test's name with every character but letters, digits, '.',
// '-' and '_' turned into '_' (as HTML reports are named).
//
// Unsharded and without LOCKSTEP_CAMPAIGN_DIR, a fuzz case is as it always
// was: it stops at its first failing schedule. As a campaign (a shard other
// than 0/1, or a campaign directory) it runs every schedule its shard owns,
// so that its file is a whole shard that merge accepts, and then fails with
// the first failure's text followed by how many of its schedules failed.
#pragma once

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "exploration/campaign.hpp"
#include "exploration/campaign_json.hpp"
#include "exploration/shard.hpp"

namespace lockstep::testing::detail {

// file_stem() is a test name as a file name: see above.
inline std::string file_stem(std::string_view test_name) {
  std::string file;
  for (char c : test_name)
    file += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ? c : '_';
  return file;
}

// FuzzPlan: which shard a fuzz case runs and where its JSON lines go.
struct FuzzPlan {
  exploration::Shard shard;
  std::optional<std::string> jsonl;  // the file to write, under LOCKSTEP_CAMPAIGN_DIR
  bool campaign() const noexcept { return !shard.whole() || jsonl.has_value(); }
};

// fuzz_plan() reads the environment (touching TEST_SHARD_STATUS_FILE);
// throws std::invalid_argument with a one-line reason for a bad or
// disagreeing shard, an untouchable status file, or a campaign under a
// strategy a campaign cannot name.
inline FuzzPlan fuzz_plan(std::string_view test_name, sim::Strategy::Kind strategy, const exploration::Env& env) {
  FuzzPlan plan;
  plan.shard = exploration::select_shard(env("LOCKSTEP_SHARD"), env, "LOCKSTEP_SHARD");
  exploration::touch_shard_status_file(env);
  if (auto dir = env("LOCKSTEP_CAMPAIGN_DIR")) {
    std::string stem = file_stem(test_name);
    plan.jsonl = plan.shard.whole() ? fmt::format("{}/{}.jsonl", *dir, stem)
                                    : fmt::format("{}/{}.shard-{}-of-{}.jsonl", *dir, stem, plan.shard.index,
                                                  plan.shard.count);
  }
  if (plan.campaign() && (strategy == sim::Strategy::Kind::fifo || strategy == sim::Strategy::Kind::replay))
    throw std::invalid_argument(fmt::format("a fuzz case under {} runs one schedule: a sharded or written campaign "
                                            "needs random, pct, dfs, pos or portfolio",
                                            sim::to_string(strategy)));
  return plan;
}

// FailureText: what a failing schedule makes the test print.
using FailureText = std::function<std::string(const exploration::Failure&, const sim::Report&)>;

// fuzz_campaign() runs `t` as the plan's shard of the campaign `c`, writing
// its JSON lines if asked; returns the failure text, or empty.
inline std::string fuzz_campaign(const exploration::Target& t, const exploration::CampaignConfig& c,
                                 const FuzzPlan& plan, const FailureText& text_of) {
  std::ofstream out;
  if (plan.jsonl) {
    errno = 0;
    out.open(*plan.jsonl, std::ios::trunc);
    if (!out) return fmt::format("LOCKSTEP_CAMPAIGN_DIR: cannot write {}: {}\n", *plan.jsonl, std::strerror(errno));
  }
  std::string first;
  exploration::CampaignSummary summary =
      exploration::run_campaign({t}, c, [&](const exploration::Failure& f, const sim::Report& r) {
        // Flushed line by line: a shard killed midway keeps every line so far.
        if (out.is_open()) out << exploration::to_json_line(f) << "\n" << std::flush;
        if (first.empty()) first = text_of(f, r);
      });
  if (out.is_open()) out << exploration::to_json_line(summary) << "\n" << std::flush;
  if (first.empty()) return first;
  std::uint64_t failed = summary.expected_failures + summary.unexpected_failures;
  return fmt::format("{}shard {}: {} of its {} schedules failed{}\n", first, exploration::to_string(c.shard), failed,
                     summary.schedules, plan.jsonl ? "; JSON lines: " + *plan.jsonl : std::string());
}

}  // namespace lockstep::testing::detail
