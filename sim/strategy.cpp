#include "sim/strategy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "runtime/misuse.hpp"

namespace lockstep::sim {

using lockstep::detail::fail_misuse;

Strategy Strategy::pct(unsigned depth, std::uint64_t steps, SourceLocation where) {
  if (depth < 1 || depth > 64)
    fail_misuse(fmt::format("Strategy::pct: depth {} is out of range [1, 64]", depth), nullptr, where);
  if (steps < 1) fail_misuse("Strategy::pct: steps must be at least 1", nullptr, where);
  Strategy s{Kind::pct};
  s.pct_depth_ = depth;
  s.pct_steps_ = steps;
  return s;
}

Strategy Strategy::replay(std::vector<std::uint32_t> decisions, Strategy then, SourceLocation where) {
  if (then.kind() != Kind::fifo && then.kind() != Kind::random)
    fail_misuse("Strategy::replay: `then` must be fifo or random", nullptr, where);
  Strategy s{Kind::replay};
  s.decisions_ = std::move(decisions);
  s.then_ = then.kind();
  return s;
}

std::string to_string(Strategy::Kind k) {
  switch (k) {
    case Strategy::Kind::fifo: return "fifo";
    case Strategy::Kind::random: return "random";
    case Strategy::Kind::pct: return "pct";
    case Strategy::Kind::replay: return "replay";
  }
  return "?";
}

std::string describe(const Strategy& s) {
  switch (s.kind()) {
    case Strategy::Kind::pct:
      return fmt::format("pct(depth={}, steps={})", s.pct_depth(), s.pct_steps());
    case Strategy::Kind::replay:
      return fmt::format("replay({} decisions, then {})", s.decisions().size(), to_string(s.then()));
    default: return to_string(s.kind());
  }
}

// ---- tokens -----------------------------------------------------------------

namespace {

constexpr std::string_view kTokenMagic = "lockstep1";

std::string encode_decisions(const std::vector<std::uint32_t>& d) {
  std::string out;
  for (std::size_t i = 0; i < d.size();) {
    std::size_t run = 1;
    while (i + run < d.size() && d[i + run] == d[i]) ++run;
    if (!out.empty()) out += '.';
    out += run > 1 ? fmt::format("{}x{}", d[i], run) : fmt::format("{}", d[i]);
    i += run;
  }
  return out;
}

// Where the token being parsed came from (the sim::run call or the caller
// of parse_token): set for the duration of one parse_token().
thread_local SourceLocation token_site;

[[noreturn]] void bad_token(std::string_view token, std::string_view why) {
  fail_misuse(fmt::format("malformed replay token \"{}\": {}", token, why), nullptr, token_site);
}

template <class Int>
Int parse_number(std::string_view text, std::string_view token, std::string_view what) {
  Int value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
    bad_token(token, fmt::format("{} \"{}\" is not a number", what, text));
  return value;
}

std::vector<std::uint32_t> decode_decisions(std::string_view text, std::string_view token) {
  std::vector<std::uint32_t> out;
  while (!text.empty()) {
    std::size_t dot = text.find('.');
    std::string_view item = text.substr(0, dot);
    text = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    std::size_t x = item.find('x');
    auto value = parse_number<std::uint32_t>(item.substr(0, x), token, "decision");
    std::size_t run = x == std::string_view::npos
                          ? 1
                          : parse_number<std::size_t>(item.substr(x + 1), token, "repeat count");
    if (run == 0 || run > (std::size_t{1} << 32)) bad_token(token, "repeat count out of range");
    out.insert(out.end(), run, value);
  }
  return out;
}

Strategy::Kind parse_kind(std::string_view name, std::string_view token) {
  for (auto k : {Strategy::Kind::fifo, Strategy::Kind::random, Strategy::Kind::pct,
                 Strategy::Kind::replay})
    if (name == to_string(k)) return k;
  bad_token(token, fmt::format("unknown strategy \"{}\"", name));
}

}  // namespace

std::string make_token(const Strategy& s, std::uint64_t seed) {
  std::string out = fmt::format("{}:{}:seed={}", kTokenMagic, to_string(s.kind()), seed);
  if (s.kind() == Strategy::Kind::pct)
    out += fmt::format(":depth={}:steps={}", s.pct_depth(), s.pct_steps());
  if (s.kind() == Strategy::Kind::replay)
    out += fmt::format(":then={}:d={}", to_string(s.then()), encode_decisions(s.decisions()));
  return out;
}

void parse_token(std::string_view token, Strategy& strategy, std::uint64_t& seed, SourceLocation where) {
  token_site = where;
  std::vector<std::string_view> parts;
  for (std::string_view rest = token;;) {
    std::size_t colon = rest.find(':');
    parts.push_back(rest.substr(0, colon));
    if (colon == std::string_view::npos) break;
    rest = rest.substr(colon + 1);
  }
  if (parts.size() < 3 || parts[0] != kTokenMagic)
    bad_token(token, "expected lockstep1:<strategy>:seed=<n>[:...]");
  Strategy::Kind kind = parse_kind(parts[1], token);
  bool have_seed = false;
  unsigned depth = 3;
  std::uint64_t steps = 1000;
  Strategy::Kind then = Strategy::Kind::fifo;
  std::vector<std::uint32_t> decisions;
  for (std::size_t i = 2; i < parts.size(); ++i) {
    std::size_t eq = parts[i].find('=');
    if (eq == std::string_view::npos) bad_token(token, fmt::format("\"{}\" is not key=value", parts[i]));
    std::string_view key = parts[i].substr(0, eq), value = parts[i].substr(eq + 1);
    if (key == "seed") {
      seed = parse_number<std::uint64_t>(value, token, "seed");
      have_seed = true;
    } else if (key == "depth" && kind == Strategy::Kind::pct) {
      depth = parse_number<unsigned>(value, token, "depth");
    } else if (key == "steps" && kind == Strategy::Kind::pct) {
      steps = parse_number<std::uint64_t>(value, token, "steps");
    } else if (key == "then" && kind == Strategy::Kind::replay) {
      then = parse_kind(value, token);
      if (then != Strategy::Kind::fifo && then != Strategy::Kind::random)
        bad_token(token, "then= must be fifo or random");
    } else if (key == "d" && kind == Strategy::Kind::replay) {
      decisions = decode_decisions(value, token);
    } else {
      bad_token(token, fmt::format("unexpected field \"{}\" for {}", key, to_string(kind)));
    }
  }
  if (!have_seed) bad_token(token, "missing seed=<n>");
  switch (kind) {
    case Strategy::Kind::fifo: strategy = Strategy::fifo(); break;
    case Strategy::Kind::random: strategy = Strategy::random(); break;
    case Strategy::Kind::pct: strategy = Strategy::pct(depth, steps, where); break;
    case Strategy::Kind::replay:
      strategy = Strategy::replay(std::move(decisions),
                                  then == Strategy::Kind::random ? Strategy::random() : Strategy::fifo());
      break;
  }
}

// ---- deciders ---------------------------------------------------------------

namespace detail {

Rng::Rng(std::uint64_t seed) noexcept {
  for (auto& word : s_) {  // splitmix64, as xoshiro's authors recommend
    seed += 0x9e3779b97f4a7c15ull;
    std::uint64_t z = seed;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    word = z ^ (z >> 31);
  }
}

std::uint64_t Rng::next() noexcept {
  auto rotl = [](std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
  std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

std::uint64_t Rng::below(std::uint64_t n) noexcept {
  // Lemire's multiply-shift with rejection: unbiased, one draw almost always.
  __uint128_t m = static_cast<__uint128_t>(next()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<__uint128_t>(next()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

namespace {

class FifoDecider final : public Decider {
 public:
  std::size_t pick(const std::int64_t*, std::size_t) override { return 0; }
  std::size_t choose(std::size_t) override { return 0; }
  bool fifo() const noexcept override { return true; }
};

class RandomDecider final : public Decider {
 public:
  explicit RandomDecider(std::uint64_t seed) : rng_(seed) {}
  std::size_t pick(const std::int64_t*, std::size_t n) override { return rng_.below(n); }
  std::size_t choose(std::size_t n) override { return rng_.below(n); }

 private:
  Rng rng_;
};

// PCT: initial priorities are independent uniform draws above `depth`, so
// their order is a uniformly random permutation of the fibers (ties have
// probability ~2^-62 and are broken by decision order); change point i
// (1-based) sets the running fiber's priority to depth - i, below every
// initial priority and below earlier change points' victims.
class PctDecider final : public Decider {
 public:
  PctDecider(std::uint64_t seed, unsigned depth, std::uint64_t steps) : rng_(seed), depth_(depth) {
    // depth - 1 distinct steps (as many as fit in [1, steps]): two change
    // points on one step would act as one.
    std::uint64_t wanted = std::min<std::uint64_t>(depth - 1, steps);
    while (change_points_.size() < wanted) {
      std::uint64_t step = 1 + rng_.below(steps);
      if (std::find(change_points_.begin(), change_points_.end(), step) == change_points_.end())
        change_points_.push_back(step);
    }
    std::sort(change_points_.begin(), change_points_.end());
  }
  std::int64_t on_spawn() override {
    return static_cast<std::int64_t>(depth_) + static_cast<std::int64_t>(rng_.next() >> 2);
  }
  std::int64_t on_step(std::uint64_t step, std::int64_t priority) override {
    while (next_change_ < change_points_.size() && change_points_[next_change_] <= step) {
      ++next_change_;
      priority = static_cast<std::int64_t>(depth_) - static_cast<std::int64_t>(next_change_);
    }
    return priority;
  }
  std::size_t pick(const std::int64_t* priorities, std::size_t n) override {
    return static_cast<std::size_t>(std::max_element(priorities, priorities + n) - priorities);
  }
  std::size_t choose(std::size_t n) override { return rng_.below(n); }

 private:
  Rng rng_;
  unsigned depth_;
  std::vector<std::uint64_t> change_points_;
  std::size_t next_change_ = 0;
};

class ReplayDecider final : public Decider {
 public:
  ReplayDecider(std::vector<std::uint32_t> decisions, std::unique_ptr<Decider> then)
      : decisions_(std::move(decisions)), then_(std::move(then)) {}
  std::size_t pick(const std::int64_t* p, std::size_t n) override {
    return next_ < decisions_.size() ? decisions_[next_++] % n : then_->pick(p, n);
  }
  std::size_t choose(std::size_t n) override {
    return next_ < decisions_.size() ? decisions_[next_++] % n : then_->choose(n);
  }

 private:
  std::vector<std::uint32_t> decisions_;
  std::size_t next_ = 0;
  std::unique_ptr<Decider> then_;
};

}  // namespace

std::unique_ptr<Decider> make_decider(const Strategy& s, std::uint64_t seed) {
  switch (s.kind()) {
    case Strategy::Kind::fifo: return std::make_unique<FifoDecider>();
    case Strategy::Kind::random: return std::make_unique<RandomDecider>(seed);
    case Strategy::Kind::pct:
      return std::make_unique<PctDecider>(seed, s.pct_depth(), s.pct_steps());
    case Strategy::Kind::replay:
      return std::make_unique<ReplayDecider>(
          s.decisions(), make_decider(s.then() == Strategy::Kind::random ? Strategy::random()
                                                                         : Strategy::fifo(),
                                      seed));
  }
  return std::make_unique<FifoDecider>();
}

}  // namespace detail
}  // namespace lockstep::sim
