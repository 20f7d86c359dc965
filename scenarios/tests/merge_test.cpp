// The merge command: the shards of a campaign, written by fuzz to files,
// merge into exactly the unsharded campaign; the merged campaign is judged
// as a whole (an unexpected failure or a mistake caught by no shard exits
// 1); and files that are not the n shards of one campaign are refused with a
// message naming the file, line or shards at fault, status 2.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "exploration/campaign_json.hpp"
#include "scenarios/cli.hpp"
#include "exploration/merge.hpp"
#include "scenarios/tests/cli_support.hpp"

using namespace lockstep::scenarios;
using namespace lockstep::exploration;
using namespace lockstep::scenarios::test;

namespace {

// The campaign the tests shard: both scenarios fail on pct schedules, so
// every shard finds different schedules (with dumps, to merge them too).
const std::vector<const char*> kCampaign{"fuzz",        "mistakes/dropped_error", "mistakes/missing_receiver",
                                         "--strategy",  "pct",                    "--schedules",
                                         "10",          "--seed",                 "1"};

// shard() runs shard `i/n` of kCampaign (plus `extra` flags) into `path`.
Outcome shard(const std::string& path, const char* i_of_n, std::vector<const char*> extra = {}) {
  auto args = kCampaign;
  args.insert(args.end(), {"--shard", i_of_n, "--out", path.c_str()});
  args.insert(args.end(), extra.begin(), extra.end());
  return cli(args);
}

}  // namespace

TEST_CASE("merge: the merge of every shard is exactly the unsharded campaign", "[merge]") {
  ScratchDir dir("merge-whole");
  auto whole = cli(kCampaign);
  REQUIRE(whole.status == kExitHeld);
  std::vector<std::string> paths{dir.file("s2"), dir.file("s0"), dir.file("s1")};
  REQUIRE(shard(paths[0], "2/3").status == kExitHeld);
  REQUIRE(shard(paths[1], "0/3").status == kExitHeld);
  REQUIRE(shard(paths[2], "1/3").status == kExitHeld);
  // In any order of the files.
  auto merged = cli({"merge", paths[0].c_str(), paths[1].c_str(), paths[2].c_str()});
  CHECK(merged.status == kExitHeld);
  CHECK(merged.err == whole.err);  // the same one-line result
  auto out = lines(merged.out);
  REQUIRE(out.size() == lines(whole.out).size());
  CHECK(out.size() == 21);  // 10 dropped_error and 10 missing_receiver failures, then the summary
  CHECK(failure_lines(merged.out) == failure_lines(whole.out));
  // Merge writes them sorted by scenario, then schedule.
  std::vector<std::string> failures(out.begin(), out.end() - 1);
  CHECK(failures == failure_lines(merged.out));
  CHECK(without_wall(out.back()) == without_wall(lines(whole.out).back()));
  // wall_seconds is the sum of the shards'.
  double sum = 0;
  for (const auto& p : paths) sum += nlohmann::json::parse(lines(read_text(p)).back())["wall_seconds"].get<double>();
  CHECK(nlohmann::json::parse(out.back())["wall_seconds"].get<double>() == Approx(sum).margin(0.0015));

  // --out writes the same lines to a file; a merge merged alone is itself.
  std::string again = dir.file("merged");
  CHECK(cli({"merge", paths[0].c_str(), paths[1].c_str(), paths[2].c_str(), "--out", again.c_str()}).status ==
        kExitHeld);
  CHECK(read_text(again) == merged.out);
  auto self = cli({"merge", again.c_str()});
  CHECK(self.status == kExitHeld);
  CHECK(self.out == merged.out);
}

TEST_CASE("merge: a mistake caught by no shard fails the merged campaign", "[merge]") {
  // dropped_error passes on seed 6: its one schedule, in shard 0 of 2.
  ScratchDir dir("merge-uncaught");
  std::string s0 = dir.file("s0"), s1 = dir.file("s1");
  for (auto [path, i] : {std::pair{&s0, "0/2"}, std::pair{&s1, "1/2"}})
    CHECK(cli({"fuzz", "mistakes/dropped_error", "--strategy", "random", "--schedules", "1", "--seed", "6", "--shard", i,
               "--out", path->c_str()})
              .status == kExitHeld);
  auto merged = cli({"merge", s0.c_str(), s1.c_str()});
  CHECK(merged.status == kExitNotHeld);
  CHECK(merged.err ==
        "  not caught: mistakes/dropped_error expects exception, seen in none of its 1 schedules\n"
        "RED: shard 0/1: 1 schedule of 1 scenario (random, seed 6): passed 1; no failures\n");
}

TEST_CASE("merge: shards of a portfolio campaign merge into the whole campaign", "[merge][portfolio]") {
  // Schedule k runs the member its seed picks, in whichever shard runs it,
  // so two shards' lines merge into the same summary as one process's.
  ScratchDir dir("merge-portfolio");
  std::string s0 = dir.file("s0"), s1 = dir.file("s1"), whole = dir.file("whole");
  for (auto [path, i] : {std::pair{&s0, "0/2"}, std::pair{&s1, "1/2"}, std::pair{&whole, "0/1"}})
    REQUIRE(cli({"fuzz", "mistakes/cond_no_recheck", "--schedules", "10", "--seed", "1", "--no-dump", "--shard", i,
                 "--out", path->c_str()})
                .status == kExitHeld);
  auto merged = cli({"merge", s0.c_str(), s1.c_str()});
  auto one = cli({"merge", whole.c_str()});
  CHECK(merged.status == kExitHeld);
  CHECK(merged.err == one.err);
  CHECK(merged.err ==
        "green: shard 0/1: 10 schedules of 1 scenario (portfolio(random, pct depth 1-3, pos), seed 1): "
        "exception 10; 10 failures, all expected\n");
  // Schedule 3 (seed 4) ran the pos member, named by its token.
  CHECK(read_text(s1).find("\"seed\":4,\"strategy\":\"portfolio\",") != std::string::npos);
  CHECK(read_text(whole).find("\"token\":\"lockstep1:pos:seed=4\"") != std::string::npos);
}

TEST_CASE("merge: an unexpected failure in any shard fails the merged campaign", "[merge]") {
  // Every catalog scenario meets its expectation, so the unexpected failure
  // is made by hand: shard 1's first failure relabelled, its counts moved.
  ScratchDir dir("merge-unexpected");
  std::string s0 = dir.file("s0"), s1 = dir.file("s1");
  REQUIRE(shard(s0, "0/2", {"--no-dump"}).status == kExitHeld);
  REQUIRE(shard(s1, "1/2", {"--no-dump"}).status == kExitHeld);
  Campaign c = read_campaign({s1, read_text(s1)});
  Failure& f = c.failures.front();
  f.expected = false;
  for (auto* counts : {&c.summary.expected_failures, &c.summary.scenarios.front().expected_failures}) --*counts;
  for (auto* counts : {&c.summary.unexpected_failures, &c.summary.scenarios.front().unexpected_failures}) ++*counts;
  std::string text;
  for (const auto& failure : c.failures) text += to_json_line(failure) + "\n";
  write_text(s1, text + to_json_line(c.summary) + "\n");

  auto merged = cli({"merge", s0.c_str(), s1.c_str()});
  CHECK(merged.status == kExitNotHeld);
  CHECK(merged.err == fmt::format("  unexpected failure: mistakes/dropped_error schedule {} (seed {}): {}\n"
                                  "    replay: lockstep-scenarios replay mistakes/dropped_error '{}'\n"
                                  "RED: shard 0/1: 20 schedules of 2 scenarios (pct(depth=3, adaptive steps), seed 1): "
                                  "deadlock 10, exception 10; 20 failures, 1 unexpected\n",
                                  f.schedule, f.seed, f.message, f.token));
  CHECK(nlohmann::json::parse(lines(merged.out).back())["unexpected_failures"] == 1);
}

TEST_CASE("merge: a failure and a summary read back as written", "[merge]") {
  ScratchDir dir("merge-roundtrip");
  std::string s0 = dir.file("s0");
  REQUIRE(shard(s0, "0/2").status == kExitHeld);
  for (const auto& line : lines(read_text(s0)))
    std::visit([&](const auto& parsed) { CHECK(to_json_line(parsed) == line); }, parse_campaign_line(line));
}

TEST_CASE("merge: bad input: the file, line or shards at fault, and status 2", "[merge]") {
  ScratchDir dir("merge-bad");
  std::string s0 = dir.file("s0"), s1 = dir.file("s1"), s2 = dir.file("s2"), other = dir.file("other");
  REQUIRE(shard(s0, "0/3", {"--no-dump"}).status == kExitHeld);
  REQUIRE(shard(s1, "1/3", {"--no-dump"}).status == kExitHeld);
  REQUIRE(shard(s2, "2/3", {"--no-dump"}).status == kExitHeld);
  auto rejects = [](std::vector<const char*> files, const std::string& err) {
    files.insert(files.begin(), "merge");
    auto r = cli(files);
    CHECK(r.status == kExitUsage);
    CHECK(r.err == "lockstep-scenarios: " + err + "\n");
    CHECK(r.out.empty());
  };
  rejects({s0.c_str(), s2.c_str()}, "missing shards: 1/3 (of 2 given)");
  rejects({s1.c_str()}, "missing shards: 0/3, 2/3 (of 1 given)");
  rejects({s0.c_str(), s1.c_str(), s0.c_str(), s2.c_str()}, "shard 0/3 given twice: " + s0 + " and " + s0);

  REQUIRE(cli({"fuzz", "mistakes/dropped_error", "mistakes/missing_receiver", "--strategy", "pct", "--schedules",
               "10", "--seed", "2", "--shard", "1/3", "--out", other.c_str()})
              .status == kExitHeld);
  rejects({s0.c_str(), other.c_str(), s2.c_str()},
          s0 + " and " + other + " are shards of different campaigns: pct(depth=3, adaptive steps), seed 1, 10 "
          "schedules per scenario / pct(depth=3, adaptive steps), seed 2, 10 schedules per scenario");
  REQUIRE(cli({"fuzz", "mistakes/missing_receiver", "--strategy", "pct", "--schedules", "10", "--seed", "1",
               "--shard", "1/3", "--out", other.c_str()})
              .status == kExitHeld);
  rejects({s0.c_str(), other.c_str()},
          s0 + " and " + other + " are shards of different campaigns: they ran different scenarios");
  REQUIRE(shard(other, "1/2").status == kExitHeld);
  rejects({s0.c_str(), other.c_str()}, s0 + " is shard 0/3 but " + other + " is shard 1/2: the shard counts differ");

  std::string missing = dir.file("missing");
  rejects({missing.c_str()}, missing + ": cannot read the file: No such file or directory");

  auto good = lines(read_text(s1));  // failure lines, then the summary
  REQUIRE(good.size() == 7);
  auto with = [&](std::vector<std::string> file_lines) {
    std::string text;
    for (const auto& l : file_lines) text += l + "\n";
    write_text(other, text);
    return other.c_str();
  };
  rejects({with({good[0], "{not json", good.back()})}, other + ":2: not a JSON object: invalid JSON near column 3");
  rejects({with({"[1,2]"})}, other + ":1: not a JSON object, but an array");
  rejects({with({R"({"type":"progress"})"})}, other + ":1: field \"type\" must be failure or summary, not \"progress\"");
  rejects({with({R"({"type":"failure","scenario":"mistakes/dropped_error"})"})}, other + ":1: missing field \"schedule\"");
  rejects({with({R"({"type":"failure","scenario":"x","schedule":-1})"})},
          other + ":1: field \"schedule\" must be a whole number in 0..999999999, not -1");
  rejects({with({})}, other + ": no summary line (was the shard cut short?)");
  rejects({with({good.begin(), good.end() - 1})}, other + ": no summary line (was the shard cut short?)");
  rejects({with({good[0], good.back(), good[1]})}, other + ":3: a line after the summary (line 2)");
  rejects({with({good[0], good[1], good.back()})}, other + ": 2 failure lines, but its summary counts 6 failures");
  std::string summary = good.back();
  summary.replace(summary.find("\"shard\":\"1/3\""), 13, "\"shard\":\"3/3\"");
  rejects({with({summary})}, other + ":1: field \"shard\" \"3/3\": shard index 3 is not below the shard count 3 "
                                     "(indices run 0..2)");
  summary = good.back();
  summary.replace(summary.find("\"depth\":3"), 9, "\"depth\":0");
  rejects({with({summary})}, other + ":1: field \"depth\" must be a whole number in 1..64, not 0");
  summary = good.back();
  summary.replace(summary.find("\"shard\":\"1/3\""), 13, "\"shard\":\"2/3\"");
  auto failures = std::vector<std::string>(good.begin(), good.end() - 1);
  failures.push_back(summary);
  rejects({with(failures)},
          other + ": schedule " + std::to_string(nlohmann::json::parse(good[0])["schedule"].get<int>()) +
              " of mistakes/dropped_error is not one of shard 2/3");

  auto none = cli({"merge"});
  CHECK(none.status == kExitUsage);
  CHECK(none.err == "lockstep-scenarios: files is required (see --help)\n");
}

TEST_CASE("merge: a summary's skipped list is written, read back, checked and merged", "[merge][skipped]") {
  // Two shards of a campaign in which one target was skipped (a data race
  // outside the race-detector build) and none ran: the list survives the
  // round trip and the merge, and shards that disagree on it do not merge.
  auto summary = [](std::uint64_t index, std::vector<std::string> skipped) {
    CampaignSummary s;
    s.shard = {index, 2};
    s.config = {lockstep::sim::Strategy::Kind::random, 4, 1};
    s.skipped = std::move(skipped);
    return to_json_line(s) + "\n";
  };
  std::string s0 = summary(0, {"mistakes/unguarded_counter"});
  CHECK(s0.ends_with(R"("scenarios":[],"skipped":["mistakes/unguarded_counter"]})" "\n"));
  Campaign whole = merge_campaigns({{"s0", s0}, {"s1", summary(1, {"mistakes/unguarded_counter"})}});
  CHECK(whole.summary.skipped == std::vector<std::string>{"mistakes/unguarded_counter"});
  CHECK(to_json_line(whole.summary).ends_with(R"("skipped":["mistakes/unguarded_counter"]})"));
  auto refused = [](const std::vector<CampaignFile>& files) {
    try {
      merge_campaigns(files);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(refused({{"s0", s0}, {"s1", summary(1, {})}}) ==
        "s0 and s1 are shards of different campaigns: they ran different scenarios");
  CHECK(refused({{"s0", summary(0, {"a", "a"})}}) == "s0:1: field \"skipped\": \"a\" listed twice");
}

TEST_CASE("merge: shards of a target outside the catalog merge, with a fuzz case's replay command", "[merge]") {
  // A target of the user's own (as LOCKSTEP_FUZZ_CASE makes one): the
  // runner's merge needs nothing from the catalog, and names the test binary
  // it cannot know in the replay command of an unexpected failure.
  Target t;
  t.name = "my test: loses an update";
  t.body = [] { throw std::runtime_error("lost update"); };
  ScratchDir dir("merge-target");
  std::vector<std::string> paths{dir.file("s0"), dir.file("s1")};
  for (std::uint64_t i = 0; i < 2; ++i) {
    CampaignConfig c;
    c.explore = {lockstep::sim::Strategy::Kind::random, 2, 1};
    c.shard = {i, 2};
    c.dump = false;
    std::string text;
    CampaignSummary s = run_campaign({t}, c, [&](const Failure& f) { text += to_json_line(f) + "\n"; });
    write_text(paths[i], text + to_json_line(s) + "\n");
  }
  auto merged = cli({"merge", paths[0].c_str(), paths[1].c_str()});
  CHECK(merged.status == kExitNotHeld);
  CHECK(merged.err.starts_with(
      "  unexpected failure: my test: loses an update schedule 0 (seed 1): exception in fiber 1 \"main\""));
  CHECK(merged.err.find("    replay: LOCKSTEP_REPLAY='lockstep1:random:seed=1' <test binary> "
                        "'my test: loses an update'\n") != std::string::npos);
  CHECK(merged.err.ends_with("RED: shard 0/1: 2 schedules of 1 scenario (random, seed 1): exception 2; "
                             "2 failures, 2 unexpected\n"));
}
