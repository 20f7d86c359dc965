// A fuzz case as shards of a campaign (testing/fuzz_campaign.hpp): under
// the sharding environment each shard runs its own schedules and writes the
// runner's JSON lines; exploration's merge of the shards is exactly the
// unsharded campaign, failures included; a bad or disagreeing shard fails
// the case with one exact line. Driven through run_fuzz() (which
// LOCKSTEP_FUZZ_CASE calls), with the environment set per test.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "exploration/campaign_json.hpp"
#include "exploration/merge.hpp"
#include "lockstep.hpp"
#include "testing/catch.hpp"
#include "testing/tests/racy_counter.hpp"

namespace lt = lockstep::testing;
namespace lx = lockstep::exploration;

namespace {

using lockstep::testing::tests::racy_counter;

// 20 random schedules from seed 1, none self-checked: the same campaign in every test.
std::string fuzz_racy() {
  return lt::run_fuzz([] { racy_counter(); }, {.strategy = lockstep::sim::Strategy::random(), .schedules = 20,
                                                .self_check_every = 0});
}

// Sets an environment variable for the test's scope, pass or fail.
struct ScopedEnv {
  const char* name;
  ScopedEnv(const char* n, const std::string& value) : name(n) { ::setenv(n, value.c_str(), 1); }
  ~ScopedEnv() { ::unsetenv(name); }
};

// A fresh folder for the test's files, removed at scope exit.
struct ScratchDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("lockstep-fuzz-shard-" + std::to_string(::getpid()));
  ScratchDir() {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Without wall_seconds, which is real time: equal campaigns, equal lines.
std::string without_wall(lx::CampaignSummary s) {
  s.wall_seconds = 0;
  return lx::to_json_line(s);
}

// The test's name as fuzz_campaign.hpp names its files.
constexpr const char* kStem = "fuzz_shard__shards_0_2_and_1_2_of_a_fuzz_case_merge_into_its_unsharded_campaign";

}  // namespace

TEST_CASE("fuzz shard: shards 0/2 and 1/2 of a fuzz case merge into its unsharded campaign", "[catch][shard]") {
  ScratchDir dir;
  ScopedEnv seed("LOCKSTEP_SEED", "1");
  ScopedEnv campaign("LOCKSTEP_CAMPAIGN_DIR", dir.path.string());
  std::string whole_text = fuzz_racy();
  {
    ScopedEnv total("TEST_TOTAL_SHARDS", "2");
    for (const char* index : {"0", "1"}) {
      ScopedEnv shard("TEST_SHARD_INDEX", index);
      fuzz_racy();
    }
  }
  lx::Campaign whole = lx::read_campaign({"whole", read_text(dir.file(std::string(kStem) + ".jsonl"))});
  lx::Campaign merged = lx::merge_campaigns({{"0", read_text(dir.file(std::string(kStem) + ".shard-0-of-2.jsonl"))},
                                             {"1", read_text(dir.file(std::string(kStem) + ".shard-1-of-2.jsonl"))}});
  CHECK(without_wall(merged.summary) == without_wall(whole.summary));
  CHECK(whole.summary.schedules == 20);
  CHECK(whole.summary.verdicts.at(lockstep::sim::Verdict::passed) == 16);
  CHECK(whole.summary.verdicts.at(lockstep::sim::Verdict::exception) == 4);
  CHECK(whole.summary.unexpected_failures == 4);  // a fuzz case expects every schedule to pass
  REQUIRE(merged.failures.size() == whole.failures.size());
  std::vector<std::uint64_t> failed;
  for (std::size_t i = 0; i < whole.failures.size(); ++i) {
    CHECK(lx::to_json_line(merged.failures[i]) == lx::to_json_line(whole.failures[i]));
    failed.push_back(whole.failures[i].schedule);
  }
  CHECK(failed == std::vector<std::uint64_t>{6, 7, 8, 15});  // from 0: shard 0/2 has 6 and 8, shard 1/2 7 and 15
  // As a campaign the case runs all 20 schedules, then fails with the first.
  CHECK_THAT(whole_text, Catch::StartsWith("schedule 7 of 20 failed:\nlockstep: exception in fiber 1 \"main\""));
  CHECK_THAT(whole_text, Catch::EndsWith(fmt::format("shard 0/1: 4 of its 20 schedules failed; JSON lines: {}\n",
                                                     dir.file(std::string(kStem) + ".jsonl"))));
}

TEST_CASE("fuzz shard: a failing shard writes its failure lines with their tokens and touches the status file",
          "[catch][shard]") {
  ScratchDir dir;
  ScopedEnv seed("LOCKSTEP_SEED", "1");
  ScopedEnv campaign("LOCKSTEP_CAMPAIGN_DIR", dir.path.string());
  ScopedEnv total("TEST_TOTAL_SHARDS", "2");
  ScopedEnv index("TEST_SHARD_INDEX", "1");
  ScopedEnv status("TEST_SHARD_STATUS_FILE", dir.file("status"));
  std::string text = fuzz_racy();
  std::string path = dir.file(
      "fuzz_shard__a_failing_shard_writes_its_failure_lines_with_their_tokens_and_touches_the_status_file"
      ".shard-1-of-2.jsonl");
  lx::Campaign shard = lx::read_campaign({path, read_text(path)});
  REQUIRE(shard.failures.size() == 2);
  CHECK(shard.failures[0].schedule == 7);
  CHECK(shard.failures[0].token == "lockstep1:random:seed=8");
  CHECK(shard.failures[0].verdict == lockstep::sim::Verdict::exception);
  CHECK_FALSE(shard.failures[0].expected);
  CHECK(shard.failures[1].token == "lockstep1:random:seed=16");
  CHECK(lx::to_string(shard.summary.shard) == "1/2");
  CHECK(shard.summary.schedules == 10);
  CHECK(std::filesystem::exists(dir.file("status")));
  // The shard ran its 10 schedules, then failed with its first failure.
  CHECK_THAT(text, Catch::StartsWith("schedule 8 of 20 failed:\n"));
  CHECK_THAT(text, Catch::Contains("replay: LOCKSTEP_REPLAY='lockstep1:random:seed=8' "));
  CHECK_THAT(text, Catch::EndsWith(fmt::format("shard 1/2: 2 of its 10 schedules failed; JSON lines: {}\n", path)));
}

TEST_CASE("fuzz shard: LOCKSTEP_SHARD and the sharding environment must agree", "[catch][shard]") {
  ScopedEnv flag("LOCKSTEP_SHARD", "1/2");
  ScopedEnv total("TEST_TOTAL_SHARDS", "2");
  ScopedEnv index("TEST_SHARD_INDEX", "0");
  CHECK(fuzz_racy() ==
        "LOCKSTEP_SHARD 1/2 disagrees with the environment's shard 0/2 (TEST_SHARD_INDEX/TEST_TOTAL_SHARDS)\n");
}

TEST_CASE("fuzz shard: a malformed LOCKSTEP_SHARD fails the case with one line", "[catch][shard]") {
  ScopedEnv flag("LOCKSTEP_SHARD", "2/2");
  CHECK(fuzz_racy() ==
        "LOCKSTEP_SHARD \"2/2\": shard index 2 is not below the shard count 2 (indices run 0..1)\n");
}

TEST_CASE("fuzz shard: LOCKSTEP_SHARD alone shards the case, which runs every schedule of its shard",
          "[catch][shard]") {
  ScopedEnv seed("LOCKSTEP_SEED", "1");
  ScopedEnv flag("LOCKSTEP_SHARD", "0/2");
  std::string text = fuzz_racy();
  CHECK_THAT(text, Catch::StartsWith("schedule 7 of 20 failed:\n"));
  CHECK_THAT(text, Catch::EndsWith("shard 0/2: 2 of its 10 schedules failed\n"));
}
