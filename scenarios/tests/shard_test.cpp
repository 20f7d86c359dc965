// Shards: parse_shard() reads i/n or says exactly what is wrong; the n
// shards of a campaign split its schedules with no overlap and no gap; the
// shard comes from --shard or the GoogleTest/Bazel environment, and a
// disagreement between the two is an error, not a silent choice.
#include <catch2/catch.hpp>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "exploration/shard.hpp"
#include "scenarios/tests/cli_support.hpp"

using namespace lockstep::scenarios;
using namespace lockstep::exploration;
using lockstep::scenarios::test::env;

namespace {

// reason() is the message parse_shard() or select_shard() throws, or "".
template <class F>
std::string reason(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("shard: parse_shard reads i/n and names what is wrong with anything else", "[shard]") {
  CHECK(parse_shard("0/1") == Shard{0, 1});
  CHECK(parse_shard("2/3") == Shard{2, 3});
  CHECK(to_string(parse_shard("17/100")) == "17/100");

  CHECK(reason([] { parse_shard("3/2"); }) ==
        "--shard \"3/2\": shard index 3 is not below the shard count 2 (indices run 0..1)");
  CHECK(reason([] { parse_shard("2/2"); }) ==
        "--shard \"2/2\": shard index 2 is not below the shard count 2 (indices run 0..1)");
  CHECK(reason([] { parse_shard("0/0"); }) == "--shard \"0/0\": the shard count must be at least 1");
  for (const char* text : {"a/b", "1", "", "/", "1/", "/2", "-1/2", "1/-2", " 1/2", "1/2 ", "1/2/3", "0x1/2",
                           "99999999999999999999/2"})
    CHECK(reason([&] { parse_shard(text); }) ==
          "--shard \"" + std::string(text) +
              "\": expected i/n, whole numbers with 0 <= i < n <= 18446744073709551615, such as 0/4");
  // A JSON reader names its field instead of the flag.
  CHECK(reason([] { parse_shard("1/1", "field \"shard\""); }) ==
        "field \"shard\" \"1/1\": shard index 1 is not below the shard count 1 (indices run 0..0)");
}

TEST_CASE("shard: the n shards of N schedules are disjoint and cover every schedule once", "[shard]") {
  for (std::uint64_t n = 1; n <= 7; ++n) {
    for (std::uint64_t k = 0; k < 50; ++k) {
      int owners = 0;
      for (std::uint64_t i = 0; i < n; ++i) owners += Shard{i, n}.owns(k) ? 1 : 0;
      CHECK(owners == 1);
    }
    // owned(N) counts what owns() says, for every shard and N.
    for (std::uint64_t i = 0; i < n; ++i)
      for (std::uint64_t total = 0; total < 50; ++total) {
        std::uint64_t counted = 0;
        for (std::uint64_t k = 0; k < total; ++k) counted += Shard{i, n}.owns(k) ? 1 : 0;
        CHECK(Shard{i, n}.owned(total) == counted);
      }
  }
  CHECK(Shard{}.whole());
  CHECK_FALSE((Shard{0, 2}.whole()));
}

TEST_CASE("shard: select_shard takes --shard, else the environment, else 0/1", "[shard]") {
  CHECK(select_shard(std::nullopt, env()) == Shard{0, 1});
  CHECK(select_shard(std::string("1/4"), env()) == Shard{1, 4});
  auto bazel = env({{"TEST_TOTAL_SHARDS", "3"}, {"TEST_SHARD_INDEX", "2"}});
  CHECK(select_shard(std::nullopt, bazel) == Shard{2, 3});
  // Flag and environment may both say it, if they agree.
  CHECK(select_shard(std::string("2/3"), bazel) == Shard{2, 3});
  // Empty variables count as unset.
  CHECK(select_shard(std::nullopt, env({{"TEST_TOTAL_SHARDS", ""}, {"TEST_SHARD_INDEX", ""}})) == Shard{0, 1});
}

TEST_CASE("shard: select_shard rejects a bad environment and a flag that disagrees with it", "[shard]") {
  auto bazel = env({{"TEST_TOTAL_SHARDS", "3"}, {"TEST_SHARD_INDEX", "2"}});
  CHECK(reason([&] { select_shard(std::string("0/3"), bazel); }) ==
        "--shard 0/3 disagrees with the environment's shard 2/3 (TEST_SHARD_INDEX/TEST_TOTAL_SHARDS)");
  CHECK(reason([] { select_shard(std::nullopt, env({{"TEST_TOTAL_SHARDS", "3"}})); }) ==
        "TEST_TOTAL_SHARDS is set but TEST_SHARD_INDEX is not (sharding needs both)");
  CHECK(reason([] { select_shard(std::nullopt, env({{"TEST_SHARD_INDEX", "0"}})); }) ==
        "TEST_SHARD_INDEX is set but TEST_TOTAL_SHARDS is not (sharding needs both)");
  CHECK(reason([] { select_shard(std::nullopt, env({{"TEST_TOTAL_SHARDS", "x"}, {"TEST_SHARD_INDEX", "0"}})); }) ==
        "TEST_SHARD_INDEX=0 TEST_TOTAL_SHARDS=x: both must be whole numbers in 0..18446744073709551615");
  CHECK(reason([] { select_shard(std::nullopt, env({{"TEST_TOTAL_SHARDS", "2"}, {"TEST_SHARD_INDEX", "2"}})); }) ==
        "TEST_SHARD_INDEX=2 TEST_TOTAL_SHARDS=2: shard index 2 is not below the shard count 2 (indices run 0..1)");
  CHECK(reason([] { select_shard(std::nullopt, env({{"TEST_TOTAL_SHARDS", "0"}, {"TEST_SHARD_INDEX", "0"}})); }) ==
        "TEST_SHARD_INDEX=0 TEST_TOTAL_SHARDS=0: the shard count must be at least 1");
  // A bad flag is reported even when the environment is fine.
  CHECK(reason([&] { select_shard(std::string("a/b"), bazel); }) ==
        "--shard \"a/b\": expected i/n, whole numbers with 0 <= i < n <= 18446744073709551615, such as 0/4");
}

TEST_CASE("shard: touch_shard_status_file creates the file Bazel asks for and keeps its content", "[shard]") {
  lockstep::scenarios::test::ScratchDir dir("shard-status");
  std::string path = dir.file("status");
  touch_shard_status_file(env());  // unset: nothing to do
  CHECK_FALSE(std::filesystem::exists(path));
  touch_shard_status_file(env({{"TEST_SHARD_STATUS_FILE", path}}));
  CHECK(std::filesystem::exists(path));
  CHECK(std::filesystem::file_size(path) == 0);
  lockstep::scenarios::test::write_text(path, "kept");
  touch_shard_status_file(env({{"TEST_SHARD_STATUS_FILE", path}}));
  CHECK(lockstep::scenarios::test::read_text(path) == "kept");
  std::string unwritable = dir.file("no/such/folder/status");
  CHECK(reason([&] { touch_shard_status_file(env({{"TEST_SHARD_STATUS_FILE", unwritable}})); }) ==
        "TEST_SHARD_STATUS_FILE=" + unwritable + ": cannot create the file");
}
