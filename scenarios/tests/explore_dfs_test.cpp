// The systematic search on the catalog: every mistake caught at delay bound
// <= 2 on a known schedule, every fixed twin whose tree is small proven
// ("explored all N") at bound 2 with exact counts, the runner's
// `--strategy dfs`, and a sharded dfs campaign whose shards add up to the
// whole and merge.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <utility>

#include "exploration/campaign.hpp"
#include "scenarios/catalog.hpp"
#include "scenarios/explore.hpp"
#include "scenarios/tests/cli_support.hpp"

namespace lockstep::scenarios {
namespace {

using namespace exploration;

ExploreConfig dfs(unsigned bound, std::uint64_t cap = 20000) {
  ExploreConfig c;
  c.strategy = sim::Strategy::Kind::dfs;
  c.dfs_bound = bound;
  c.schedules = cap;
  return c;
}

Exploration explore_named(const std::string& name, const ExploreConfig& c) {
  const Scenario* s = find_scenario(name);
  REQUIRE(s != nullptr);
  return explore(*s, c);
}

}  // namespace

TEST_CASE("dfs: every catalog mistake is caught at delay bound 2, on a known schedule", "[dfs][catalog]") {
  // (scenario, the schedule, from 1, that catches it). All but one fail on
  // the FIFO schedule itself; dropped_error needs one delay. Timers due
  // together are decisions too (the order they fire in), so trees with such
  // ties are larger than scheduling alone makes them.
  const std::vector<std::pair<std::string, std::uint64_t>> caught{
      {"mistakes/leak_no_stop", 1},      {"mistakes/close_by_receiver", 1}, {"mistakes/missing_receiver", 1},
      {"mistakes/polite_retry", 1},      {"mistakes/busy_select_default", 1}, {"mistakes/dropped_error", 32},
      {"mistakes/unbounded_fanout", 1},  {"mistakes/after_in_loop", 1},     {"mistakes/cond_no_recheck", 1},
      {"mistakes/once_no_retry", 1},     {"mistakes/forgotten_reply", 1}};
  for (const auto& [name, schedule] : caught) {
    Exploration e = explore_named(name, dfs(2));
    INFO(name);
    CHECK(e.held);
    REQUIRE(e.first_match);
    CHECK(*e.first_match + 1 == schedule);
    CHECK(e.schedules_run == schedule);
    // The token replays the failure.
    CHECK(run_token(*find_scenario(e.target), e.first_failure->replay_token).verdict == e.first_failure->verdict);
  }
  CHECK(explore_named("mistakes/dropped_error", dfs(2)).dfs_summary.starts_with(
      "failed on schedule 32 at delay bound 1: exception in fiber 1 \"main\""));
}

TEST_CASE("dfs: the catalog's fixed twins are proven at delay bound 2", "[dfs][catalog]") {
  // unbounded_fanout_fixed is left out: 50 lookups make a tree past 20,000
  // schedules at bound 2.
  const std::vector<std::pair<std::string, std::string>> proven{
      {"mistakes/leak_no_stop_fixed", "2 schedules up to delay bound 2: passed (3 pruned"},
      {"mistakes/close_by_receiver_fixed", "17 schedules up to delay bound 2: passed (7 pruned"},
      {"mistakes/missing_receiver_fixed", "2 schedules up to delay bound 2: passed (28 pruned"},
      {"mistakes/polite_retry_fixed", "17 schedules up to delay bound 2: passed (22 pruned"},
      {"mistakes/busy_select_default_fixed", "2 schedules up to delay bound 2: passed (8 pruned"},
      {"mistakes/dropped_error_fixed", "2055 schedules up to delay bound 2: passed (972 pruned"},
      {"mistakes/after_in_loop_fixed", "18 schedules up to delay bound 2: passed (21 pruned"},
      {"mistakes/cond_no_recheck_fixed", "120 schedules up to delay bound 2: passed (69 pruned"},
      {"mistakes/once_no_retry_fixed", "1 schedule up to delay bound 2: passed (0 pruned"},
      {"mistakes/forgotten_reply_fixed", "2 schedules up to delay bound 2: passed (2 pruned"}};
  for (const auto& [name, summary] : proven) {
    Exploration e = explore_named(name, dfs(2));
    INFO(name);
    CHECK(e.held);
    CHECK(e.dfs_summary == "explored all " + summary + " by partial-order reduction)");
  }
  // Capped, it says where it stopped: bound 1's tree alone is past 50.
  Exploration capped = explore_named("mistakes/unbounded_fanout_fixed", dfs(2, 50));
  CHECK(capped.held);
  CHECK(capped.dfs_summary == "stopped after 50 schedules at delay bound 1 (max_schedules): no failure so far");
}

TEST_CASE("cli: run --strategy dfs reports the search and its bound", "[dfs][cli]") {
  auto r = test::cli({"run", "--strategy", "dfs", "--preemptions", "1", "mistakes/leak_no_stop_fixed"});
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK(r.out.starts_with("ok   mistakes/leak_no_stop_fixed  expects passed\n"));
  CHECK(r.out.find("dfs(preemption bound 1)") != std::string::npos);
  CHECK(r.out.find("  explored all ") != std::string::npos);
  CHECK(r.out.ends_with("green: 1 of 1 scenarios as expected (100 per scenario, dfs(preemption bound 1), seed 1)\n"));
  auto bad = test::cli({"run", "--strategy", "dfs", "--delays", "1", "--preemptions", "1"});
  CHECK(bad.status == 2);
  CHECK(bad.err == "lockstep-scenarios: --delays and --preemptions: give one bound, not both\n");
}

TEST_CASE("dfs: a sharded campaign's shards add up to the whole and merge", "[dfs][campaign]") {
  // A correct scenario: every shard searches its units to the end, so their
  // schedules add up to the unsharded campaign's exactly.
  std::vector<const Scenario*> scenarios = select_scenarios({"mistakes/cond_no_recheck_fixed"});
  CampaignConfig whole;
  whole.explore = dfs(2, 5000);
  whole.dump = false;
  auto none = [](const Failure&) { FAIL("no schedule of a fixed twin fails"); };
  CampaignSummary all = run_campaign(targets(scenarios), whole, none);
  CHECK(all.schedules == 174);  // the search split at kDfsSplitDepth (120 without the split)
  for (std::uint64_t n : {2, 3, 4}) {
    std::uint64_t sum = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      CampaignConfig c = whole;
      c.shard = Shard{i, n};
      sum += run_campaign(targets(scenarios), c, none).schedules;
    }
    CHECK(sum == all.schedules);
  }
  test::ScratchDir dir("dfs-merge");
  std::vector<std::string> files;
  for (const char* shard : {"0/2", "1/2"}) {
    files.push_back(dir.file(fmt::format("shard{}.jsonl", shard[0])));
    auto r = test::cli({"fuzz", "mistakes/cond_no_recheck_fixed", "--strategy", "dfs", "--schedules", "5000",
                        "--shard", shard, "--out", files.back().c_str()});
    REQUIRE(r.status == 0);
  }
  auto merged = test::cli({"merge", files[0].c_str(), files[1].c_str()});
  CHECK(merged.status == 0);
  CHECK(merged.err.find("green: shard 0/1: 174 schedules of 1 scenario (dfs(delay bound 2), seed 1)") !=
        std::string::npos);
}

}  // namespace lockstep::scenarios
