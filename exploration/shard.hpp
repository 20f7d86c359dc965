// Shard: which part of a campaign one process runs.
//
//   Shard s = parse_shard("1/3");   // {index 1, count 3}
//   s.owns(4);                      // true: schedule 4 is in shard 4 % 3 = 1
//
// A campaign's schedules are numbered k = 0, 1, ... N-1 per scenario, and
// shard i/n runs the schedules with k % n == i: the n shards of a campaign
// are disjoint and their union is the whole campaign, whatever the scenarios
// and however many schedules each has (a shard may get none when n > N).
//
// The shard comes from `--shard i/n` (a fuzz case: LOCKSTEP_SHARD=i/n) or from the sharding environment of
// GoogleTest and Bazel (TEST_TOTAL_SHARDS = n, TEST_SHARD_INDEX = i); with
// both, they must agree, so a forgotten flag can never make every shard of a
// sharded test run the same part. TEST_SHARD_STATUS_FILE, when set, names a
// file to touch: Bazel's way of asking "does this binary shard?". An empty
// variable counts as unset (as LOCKSTEP_REPLAY does).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace lockstep::exploration {

struct Shard {
  std::uint64_t index = 0;
  std::uint64_t count = 1;

  // owns() tells whether schedule `k` belongs to this shard.
  bool owns(std::uint64_t k) const noexcept { return k % count == index; }
  // owned() counts the schedules k < n this shard owns.
  std::uint64_t owned(std::uint64_t n) const noexcept { return n / count + (n % count > index ? 1 : 0); }
  // whole() is true for 0/1, the unsharded campaign.
  bool whole() const noexcept { return count == 1; }
  bool operator==(const Shard&) const = default;
};

// to_string() is "i/n", what parse_shard() reads back.
std::string to_string(const Shard& s);

// parse_shard() reads "i/n" (decimal, 0 <= i < n); throws
// std::invalid_argument with a one-line reason otherwise, which starts with
// `source` and the text: `--shard "3/2": shard index 3 is not below ...`.
Shard parse_shard(std::string_view text, std::string_view source = "--shard");

// An environment lookup: the value of a variable, or nullopt when unset or
// empty. process_env() reads the real environment; tests pass their own.
using Env = std::function<std::optional<std::string>(const char* name)>;
std::optional<std::string> process_env(const char* name);

// select_shard() is the shard a campaign uses: `flag` (the --shard text, or
// a fuzz case's LOCKSTEP_SHARD, if given; `source` names it in messages) and
// the environment's TEST_TOTAL_SHARDS / TEST_SHARD_INDEX (both or neither).
// Throws std::invalid_argument for a malformed value, a variable without its
// partner, or a flag and an environment that disagree.
Shard select_shard(const std::optional<std::string>& flag, const Env& env, std::string_view source = "--shard");

// touch_shard_status_file() creates TEST_SHARD_STATUS_FILE if it is set
// (its content is left alone); throws std::invalid_argument if it cannot.
void touch_shard_status_file(const Env& env);

}  // namespace lockstep::exploration
