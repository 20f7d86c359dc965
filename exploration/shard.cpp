#include "exploration/shard.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "sim/input.hpp"

namespace lockstep::exploration {
namespace {

// A decimal number: digits only (no sign, no spaces), no overflow.
std::optional<std::uint64_t> number(std::string_view text) { return sim::parse_whole(text, 0, sim::kU64Max); }

// check() turns a parsed index and count into a Shard, or says what is wrong.
Shard check(std::uint64_t index, std::uint64_t count, const std::string& where) {
  if (count == 0) throw std::invalid_argument(fmt::format("{}: the shard count must be at least 1", where));
  if (index >= count)
    throw std::invalid_argument(
        fmt::format("{}: shard index {} is not below the shard count {} (indices run 0..{})", where, index, count,
                    count - 1));
  return Shard{index, count};
}

}  // namespace

std::string to_string(const Shard& s) { return fmt::format("{}/{}", s.index, s.count); }

Shard parse_shard(std::string_view text, std::string_view source) {
  std::string where = fmt::format("{} {}", source, sim::quote(text));
  std::size_t slash = text.find('/');
  auto index = slash == std::string_view::npos ? std::nullopt : number(text.substr(0, slash));
  auto count = slash == std::string_view::npos ? std::nullopt : number(text.substr(slash + 1));
  if (!index || !count)
    throw std::invalid_argument(
        fmt::format("{}: expected i/n, whole numbers with 0 <= i < n <= {}, such as 0/4", where, sim::kU64Max));
  return check(*index, *count, where);
}

std::optional<std::string> process_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

Shard select_shard(const std::optional<std::string>& flag, const Env& env, std::string_view source) {
  auto total = env("TEST_TOTAL_SHARDS");
  auto index = env("TEST_SHARD_INDEX");
  std::optional<Shard> from_env;
  if (total || index) {
    if (!total || !index)
      throw std::invalid_argument(fmt::format("{} is set but {} is not (sharding needs both)",
                                              total ? "TEST_TOTAL_SHARDS" : "TEST_SHARD_INDEX",
                                              total ? "TEST_SHARD_INDEX" : "TEST_TOTAL_SHARDS"));
    std::string where = fmt::format("TEST_SHARD_INDEX={} TEST_TOTAL_SHARDS={}", *index, *total);
    auto i = number(*index);
    auto n = number(*total);
    if (!i || !n)
      throw std::invalid_argument(fmt::format("{}: both must be whole numbers in 0..{}", where, sim::kU64Max));
    from_env = check(*i, *n, where);
  }
  std::optional<Shard> from_flag;
  if (flag) from_flag = parse_shard(*flag, source);
  if (from_flag && from_env && *from_flag != *from_env)
    throw std::invalid_argument(fmt::format("{} {} disagrees with the environment's shard {} "
                                            "(TEST_SHARD_INDEX/TEST_TOTAL_SHARDS)",
                                            source, to_string(*from_flag), to_string(*from_env)));
  return from_flag ? *from_flag : from_env ? *from_env : Shard{};
}

void touch_shard_status_file(const Env& env) {
  auto path = env("TEST_SHARD_STATUS_FILE");
  if (!path) return;
  // Append mode creates the file and leaves what is there: a touch.
  std::ofstream file(*path, std::ios::app);
  if (!file)
    throw std::invalid_argument(fmt::format("TEST_SHARD_STATUS_FILE={}: cannot create the file", *path));
}

}  // namespace lockstep::exploration
