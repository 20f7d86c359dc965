// The fuzz command: a campaign, or one shard of it, as JSON lines. Proved by
// running it: exact lines for a known campaign; shards whose failures are
// exactly the unsharded campaign's; a failure whose token is the one `run`
// prints and `replay` reproduces; the shard taken from the Bazel
// environment; the catch requirement judged only on a whole campaign; and
// every bad input a one-line message with status 2.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <string>
#include <tuple>

#include "scenarios/catalog.hpp"
#include "scenarios/cli.hpp"
#include "scenarios/tests/cli_support.hpp"

using namespace lockstep::scenarios;
using namespace lockstep::exploration;
using namespace lockstep::scenarios::test;
namespace sim = lockstep::sim;

namespace {

// (scenario, schedule, token) of every failure line: what a campaign found.
using Found = std::set<std::tuple<std::string, std::uint64_t, std::string>>;

Found found(const std::string& out) {
  Found f;
  for (const auto& line : failure_lines(out)) {
    auto j = nlohmann::json::parse(line);
    f.emplace(j["scenario"], j["schedule"], j["token"]);
  }
  return f;
}

}  // namespace

TEST_CASE("campaign: fuzz writes one JSON line per failing schedule, then a summary", "[campaign]") {
  auto r = cli({"fuzz", "mistakes/missing_receiver", "--strategy", "random", "--schedules", "3", "--seed", "3", "--no-dump"});
  CHECK(r.status == kExitHeld);
  auto out = lines(r.out);
  REQUIRE(out.size() == 4);
  for (int k = 0; k < 3; ++k)
    CHECK(out[k] == fmt::format("{{\"type\":\"failure\",\"scenario\":\"mistakes/missing_receiver\",\"schedule\":{},"
                                "\"seed\":{},\"strategy\":\"random\",\"verdict\":\"deadlock\",\"message\":\"deadlock: "
                                "all fibers are blocked and no timer is pending\",\"token\":\"lockstep1:random:seed={}"
                                "\",\"expected\":true,\"dump\":\"\"}}",
                                k, 3 + k, 3 + k));
  CHECK(without_wall(out[3]) ==
        R"({"type":"summary","shard":"0/1","strategy":"random","seed":3,"schedules_per_scenario":3,"schedules":3,)"
        R"("verdicts":{"passed":0,"deadlock":3,"leak":0,"livelock":0,"exception":0,"misuse":0,"liveness":0,"race":0},)"
        R"("expected_failures":3,"unexpected_failures":0,"scenarios":[{"name":"mistakes/missing_receiver",)"
        R"("expects":"deadlock","schedules":3,"verdicts":{"passed":0,"deadlock":3,"leak":0,"livelock":0,)"
        R"("exception":0,"misuse":0,"liveness":0,"race":0},"expected_failures":3,"unexpected_failures":0}],"skipped":[]})");
  CHECK(nlohmann::json::parse(out[3])["wall_seconds"].get<double>() >= 0);
  CHECK(r.err == "green: shard 0/1: 3 schedules of 1 scenario (random, seed 3): deadlock 3; 3 failures, all expected\n");
}

TEST_CASE("campaign: a failure line carries its goroutine dump unless --no-dump", "[campaign]") {
  auto r = cli({"fuzz", "mistakes/missing_receiver", "--schedules", "1", "--seed", "3", "--strategy", "pct"});
  CHECK(r.status == kExitHeld);
  auto failure = nlohmann::json::parse(lines(r.out).at(0));
  auto report = run_schedule(*find_scenario("mistakes/missing_receiver"), sim::Strategy::pct(), 3);
  CHECK(failure["token"] == "lockstep1:pct:seed=3:depth=3:steps=1000");
  CHECK(failure["dump"] == report.dump());
  CHECK(failure["dump"].get<std::string>().starts_with("wait-for graph: no cycle\n"));
  CHECK(failure["dump"].get<std::string>().find("\ngoroutine dump at +30ms") != std::string::npos);
}

TEST_CASE("campaign: the shards of a campaign are disjoint and their union is the unsharded campaign", "[campaign]") {
  // dropped_error fails on some pct schedules and passes on others, so the
  // shards find different, interleaved schedules. 70 schedules: past the
  // adaptive bound's 64 warm-up schedules, which every shard runs.
  std::vector<const char*> campaign{"fuzz",       "mistakes/dropped_error", "mistakes/dropped_error_fixed",
                                    "mistakes/missing_receiver", "--strategy", "pct", "--schedules", "70",
                                    "--seed",     "1",          "--no-dump"};
  auto whole = cli(campaign);
  REQUIRE(whole.status == kExitHeld);
  Found all = found(whole.out);
  CHECK(all.size() == 130);  // 60 dropped_error + 70 missing_receiver, as the summary says
  Found joined;
  std::size_t total = 0;
  std::uint64_t schedules = 0;
  for (const char* shard : {"0/3", "1/3", "2/3"}) {
    auto args = campaign;
    args.insert(args.end(), {"--shard", shard});
    auto part = cli(args);
    CHECK(part.status == kExitHeld);
    Found mine = found(part.out);
    for (const auto& [scenario, k, token] : mine) {
      CHECK(k % 3 == static_cast<std::uint64_t>(shard[0] - '0'));
      // The adaptive bound is in the token; `joined == all` below proves each
      // shard ran schedule k with the bound the unsharded campaign used.
      CHECK(token.starts_with(fmt::format("lockstep1:pct:seed={}:depth=3:steps=", 1 + k)));
    }
    total += mine.size();
    joined.insert(mine.begin(), mine.end());
    schedules += nlohmann::json::parse(lines(part.out).back())["schedules"].get<std::uint64_t>();
  }
  CHECK(total == all.size());  // no schedule found by two shards
  CHECK(joined == all);        // and none missed
  CHECK(schedules == 210);     // 24 + 23 + 23 per scenario: the warm-up runs are not counted
}

TEST_CASE("campaign: a failure fuzz finds has the token run prints, and replay reproduces it", "[campaign]") {
  // Seed 6 passes for dropped_error under random; seed 7 (schedule 1) fails.
  auto run = cli({"run", "mistakes/dropped_error", "--strategy", "random", "--schedules", "3", "--seed", "6", "--no-dump"});
  CHECK(run.out.find("  first failure, schedule 2: ") != std::string::npos);
  CHECK(run.out.find("  replay: lockstep-scenarios replay mistakes/dropped_error 'lockstep1:random:seed=7'\n") !=
        std::string::npos);
  auto fuzz = cli({"fuzz", "mistakes/dropped_error", "--strategy", "random", "--schedules", "3", "--seed", "6", "--no-dump"});
  CHECK(fuzz.status == kExitHeld);
  auto first = nlohmann::json::parse(lines(fuzz.out).at(0));
  CHECK(first["schedule"] == 1);  // run counts from 1, fuzz from 0
  CHECK(first["seed"] == 7);
  CHECK(first["token"] == "lockstep1:random:seed=7");
  CHECK(first["verdict"] == "exception");
  CHECK(first["expected"] == true);
  auto replay = cli({"replay", "mistakes/dropped_error", "lockstep1:random:seed=7"});
  CHECK(replay.status == kExitHeld);
  // The same failure; only the spawn site of main differs (replay starts the
  // run from another line of catalog.cpp).
  std::string broken = "invariant broken: every courier lookup ends loaded or with its error reported (2 of 4 "
                       "accounted for)";
  CHECK(first["message"].get<std::string>().ends_with("): " + broken));
  CHECK(replay.out.starts_with("lockstep: exception in fiber 1 \"main\""));
  CHECK(replay.out.find("): " + broken + "\n") != std::string::npos);
}

TEST_CASE("campaign: fuzz takes its shard from the Bazel environment, touches the status file, writes --out",
          "[campaign]") {
  ScratchDir dir("campaign-env");
  auto bazel = env({{"TEST_TOTAL_SHARDS", "3"}, {"TEST_SHARD_INDEX", "1"},
                    {"TEST_SHARD_STATUS_FILE", dir.file("status")}});
  std::string out = dir.file("shard.jsonl");
  auto r = cli({"fuzz", "mistakes/missing_receiver", "--strategy", "random", "--schedules", "7", "--no-dump", "--out", out.c_str()}, bazel);
  CHECK(r.status == kExitHeld);
  CHECK(r.out.empty());
  CHECK(std::filesystem::exists(dir.file("status")));
  auto written = lines(read_text(out));
  REQUIRE(written.size() == 3);  // schedules 1 and 4, then the summary
  CHECK(nlohmann::json::parse(written[0])["schedule"] == 1);
  CHECK(nlohmann::json::parse(written[1])["schedule"] == 4);
  CHECK(nlohmann::json::parse(written[2])["shard"] == "1/3");
  CHECK(r.err ==
        "green: shard 1/3: 2 schedules of 1 scenario (random, seed 1): deadlock 2; 2 failures, all expected\n");
}

TEST_CASE("campaign: a mistake caught on no schedule fails a whole campaign, not one shard", "[campaign]") {
  // dropped_error passes on its one schedule (seed 6): uncaught.
  auto whole = cli({"fuzz", "mistakes/dropped_error", "--strategy", "random", "--schedules", "1", "--seed", "6"});
  CHECK(whole.status == kExitNotHeld);
  CHECK(whole.err ==
        "  not caught: mistakes/dropped_error expects exception, seen in none of its 1 schedules\n"
        "RED: shard 0/1: 1 schedule of 1 scenario (random, seed 6): passed 1; no failures\n");
  // As shard 0 of 2 it may be caught by the other shard: that is merge's call.
  auto part = cli({"fuzz", "mistakes/dropped_error", "--strategy", "random", "--schedules", "1", "--seed", "6", "--shard", "0/2"});
  CHECK(part.status == kExitHeld);
  CHECK(part.err == "green: shard 0/2: 1 schedule of 1 scenario (random, seed 6): passed 1; no failures\n");
  // A shard with no schedule to run still writes its summary.
  auto empty = cli({"fuzz", "mistakes/dropped_error", "--strategy", "random", "--schedules", "1", "--seed", "6", "--shard", "1/2"});
  CHECK(empty.status == kExitHeld);
  CHECK(empty.err == "green: shard 1/2: 0 schedules of 1 scenario (random, seed 6): none; no failures\n");
  CHECK(lines(empty.out).size() == 1);
}

TEST_CASE("campaign: fuzz: bad input: a clear message and status 2", "[campaign]") {
  ScratchDir dir("campaign-bad");
  auto rejects = [](const Outcome& r, const std::string& err) {
    CHECK(r.status == kExitUsage);
    CHECK(r.err == err);
    CHECK(r.out.empty());
  };
  rejects(cli({"fuzz", "--shard", "3/2"}),
          "lockstep-scenarios: --shard \"3/2\": shard index 3 is not below the shard count 2 (indices run 0..1)\n");
  rejects(cli({"fuzz", "--shard", "a/b"}),
          "lockstep-scenarios: --shard \"a/b\": expected i/n, whole numbers with 0 <= i < n <= 18446744073709551615, "
          "such as 0/4\n");
  rejects(cli({"fuzz", "--shard", "0/0"}), "lockstep-scenarios: --shard \"0/0\": the shard count must be at least 1\n");
  rejects(cli({"fuzz"}, env({{"TEST_TOTAL_SHARDS", "two"}, {"TEST_SHARD_INDEX", "0"}})),
          "lockstep-scenarios: TEST_SHARD_INDEX=0 TEST_TOTAL_SHARDS=two: both must be whole numbers in "
          "0..18446744073709551615\n");
  rejects(cli({"fuzz"}, env({{"TEST_SHARD_INDEX", "0"}})),
          "lockstep-scenarios: TEST_SHARD_INDEX is set but TEST_TOTAL_SHARDS is not (sharding needs both)\n");
  rejects(cli({"fuzz", "--shard", "0/2"}, env({{"TEST_TOTAL_SHARDS", "2"}, {"TEST_SHARD_INDEX", "1"}})),
          "lockstep-scenarios: --shard 0/2 disagrees with the environment's shard 1/2 "
          "(TEST_SHARD_INDEX/TEST_TOTAL_SHARDS)\n");
  rejects(cli({"fuzz", "mistakes/nope"}), "lockstep-scenarios: unknown scenario \"mistakes/nope\" (see `list`)\n");
  std::string unwritable = dir.file("no/such/folder/out.jsonl");
  rejects(cli({"fuzz", "mistakes/leak_no_stop", "--out", unwritable.c_str()}),
          "lockstep-scenarios: --out " + unwritable + ": cannot write the file: No such file or directory\n");
  rejects(cli({"fuzz", "--strategy", "fifo"}),
          "lockstep-scenarios: --strategy: fifo not in {random,pct,dfs,pos,portfolio} (see --help)\n");
  rejects(cli({"fuzz", "--schedules", "0"}),
          "lockstep-scenarios: --schedules must be a whole number in 1..1000000000, not \"0\"\n");
  // The status file is touched only once the input is known good.
  std::string status = dir.file("status");
  cli({"fuzz", "--shard", "2/2"}, env({{"TEST_SHARD_STATUS_FILE", status}}));
  CHECK_FALSE(std::filesystem::exists(status));
}

TEST_CASE("campaign: fuzz skips a data-race scenario outside the race-detector build, as run does", "[campaign][race]") {
  auto r = cli({"fuzz", "mistakes/unguarded_counter", "mistakes/unguarded_counter_fixed", "--strategy", "random",
                "--schedules", "2", "--seed", "1", "--no-dump"});
  CHECK(r.status == kExitHeld);
  if (find_scenario("mistakes/unguarded_counter")->expect.checkable()) {  // the race build: caught on both
    CHECK(r.err == "green: shard 0/1: 4 schedules of 2 scenarios (random, seed 1): passed 2, race 2; 2 failures, "
                   "all expected\n");
  } else {
    CHECK(r.err == "green: shard 0/1: 2 schedules of 1 scenario (random, seed 1): passed 2; no failures; skipped "
                   "mistakes/unguarded_counter (only the race-detector build sees data races)\n");
  }
}
