#include "sim/strategy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "runtime/misuse.hpp"
#include "sim/dfs_run.hpp"
#include "sim/input.hpp"

namespace lockstep::sim {

using lockstep::detail::fail_misuse;

Strategy Strategy::pct(unsigned depth, std::uint64_t steps, SourceLocation where) {
  if (depth < 1 || depth > kPctDepthMax)
    fail_misuse(fmt::format("Strategy::pct: depth {} is out of range [1, {}]", depth, kPctDepthMax), nullptr, where);
  Strategy s{Kind::pct};
  s.pct_depth_ = depth;
  s.pct_adaptive_ = steps == kPctStepsAdaptive;
  s.pct_steps_ = s.pct_adaptive_ ? kPctStepsEstimate : steps;
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

// The portfolio's members, by seed modulo their count. The mix is the one
// bench/bug_hunt measured (docs/fuzzing.md): random finds shallow bugs in
// few schedules, pct the ordering bugs of small depth in long runs, pos the
// ones among many independent fibers.
Strategy Strategy::member(std::uint64_t seed) const {
  if (kind_ != Kind::portfolio) return *this;
  switch (seed % 5) {
    case 0: return random();
    case 1: return pct(1, pct_steps());
    case 2: return pct(2, pct_steps());
    case 3: return pct(3, pct_steps());
    default: return pos();
  }
}

std::string to_string(Strategy::Kind k) {
  switch (k) {
    case Strategy::Kind::fifo: return "fifo";
    case Strategy::Kind::random: return "random";
    case Strategy::Kind::pct: return "pct";
    case Strategy::Kind::replay: return "replay";
    case Strategy::Kind::dfs: return "dfs";
    case Strategy::Kind::pos: return "pos";
    case Strategy::Kind::portfolio: return "portfolio";
  }
  return "?";
}

std::string describe(const Strategy& s) {
  switch (s.kind()) {
    case Strategy::Kind::pct:
      if (!s.pct_adaptive()) return fmt::format("pct(depth={}, steps={})", s.pct_depth(), s.pct_steps());
      // Before a run is measured the bound is only a guess: not worth showing.
      return s.pct_adaptive_measured() ? fmt::format("pct(depth={}, adaptive steps={})", s.pct_depth(), s.pct_steps())
                                       : fmt::format("pct(depth={}, adaptive steps)", s.pct_depth());
    case Strategy::Kind::replay:
      return fmt::format("replay({} decisions, then {})", s.decisions().size(), to_string(s.then()));
    case Strategy::Kind::portfolio:
      return s.pct_adaptive_measured()
                 ? fmt::format("portfolio(random, pct depth 1-3, pos; adaptive steps={})", s.pct_steps())
                 : "portfolio(random, pct depth 1-3, pos)";
    default: return to_string(s.kind());
  }
}

// ---- tokens -----------------------------------------------------------------

namespace {

constexpr std::string_view kTokenMagic = "lockstep1";
constexpr std::string_view kTokenShape = "lockstep1:<strategy>:seed=<n>[:...]";

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

// The parser throws the reason a token is malformed as a BadToken, which
// try_parse_token() catches: one exit for every error, whoever reports it.
struct BadToken {
  std::string why;
};

[[noreturn]] void bad_token(std::string why) { throw BadToken{std::move(why)}; }

std::uint64_t number(std::string_view text, std::string_view what, std::uint64_t min, std::uint64_t max) {
  auto value = parse_whole(text, min, max);
  if (!value) bad_token(not_in_range(what, min, max, quote(text)));
  return *value;
}

// Run: one item of d=, a decision repeated `count` times.
struct Run {
  std::uint32_t decision;
  std::size_t count;
};

Run parse_run(std::string_view item) {
  if (item.empty()) bad_token("d= has an empty item (two dots, or a dot at either end)");
  std::size_t x = item.find('x');
  auto decision = static_cast<std::uint32_t>(
      number(item.substr(0, x), "decision", 0, std::numeric_limits<std::uint32_t>::max()));
  if (x == std::string_view::npos) return {decision, 1};
  return {decision, number(item.substr(x + 1), "repeat count", 1, kReplayDecisionsMax)};
}

// decode_decisions() reads d=: a first pass checks every item and the total
// against kReplayDecisionsMax, so the one allocation is of the decoded size
// and a malformed list allocates nothing.
std::vector<std::uint32_t> decode_decisions(std::string_view text) {
  auto each_run = [text](auto&& on_run) {
    if (text.empty()) return;  // "d=": no decisions
    for (std::string_view rest = text;;) {
      std::size_t dot = rest.find('.');
      on_run(parse_run(rest.substr(0, dot)));
      if (dot == std::string_view::npos) return;
      rest = rest.substr(dot + 1);
    }
  };
  std::size_t total = 0;
  each_run([&](Run r) {
    if (r.count > kReplayDecisionsMax - total)
      bad_token(fmt::format("d= holds more than {} decisions, the most a token may hold", kReplayDecisionsMax));
    total += r.count;
  });
  std::vector<std::uint32_t> out;
  out.reserve(total);
  each_run([&](Run r) { out.insert(out.end(), r.count, r.decision); });
  return out;
}

Strategy::Kind parse_kind(std::string_view name) {
  // No portfolio: its tokens are its members' (make_token()).
  for (auto k : {Strategy::Kind::fifo, Strategy::Kind::random, Strategy::Kind::pct, Strategy::Kind::replay,
                 Strategy::Kind::pos})
    if (name == to_string(k)) return k;
  bad_token(fmt::format("unknown strategy {} (expected fifo, random, pct, replay or pos)", quote(name)));
}

// The fields a token may carry, each at most once.
enum class Field { seed, depth, steps, then, d };

std::optional<Field> field_of(std::string_view key, Strategy::Kind kind) {
  if (key == "seed") return Field::seed;
  if (kind == Strategy::Kind::pct && key == "depth") return Field::depth;
  if (kind == Strategy::Kind::pct && key == "steps") return Field::steps;
  if (kind == Strategy::Kind::replay && key == "then") return Field::then;
  if (kind == Strategy::Kind::replay && key == "d") return Field::d;
  return std::nullopt;
}

void parse(std::string_view token, Strategy& strategy, std::uint64_t& seed) {
  std::vector<std::string_view> parts;
  for (std::string_view rest = token;;) {
    std::size_t colon = rest.find(':');
    parts.push_back(rest.substr(0, colon));
    if (colon == std::string_view::npos) break;
    rest = rest.substr(colon + 1);
  }
  if (parts.size() < 3 || parts[0] != kTokenMagic) bad_token(fmt::format("expected {}", kTokenShape));
  Strategy::Kind kind = parse_kind(parts[1]);
  std::optional<std::uint64_t> token_seed;
  unsigned depth = 3;
  std::uint64_t steps = 1000;
  Strategy::Kind then = Strategy::Kind::fifo;
  std::string_view d;  // decoded last: whatever else is wrong is found before it allocates
  bool seen[5] = {};
  for (std::size_t i = 2; i < parts.size(); ++i) {
    std::size_t eq = parts[i].find('=');
    if (eq == std::string_view::npos) bad_token(fmt::format("{} is not key=value", quote(parts[i])));
    std::string_view key = parts[i].substr(0, eq), value = parts[i].substr(eq + 1);
    auto field = field_of(key, kind);
    if (!field) bad_token(fmt::format("unexpected field {} for {}", quote(key), to_string(kind)));
    if (std::exchange(seen[static_cast<int>(*field)], true))
      bad_token(fmt::format("field {} given twice", quote(key)));
    switch (*field) {
      case Field::seed: token_seed = number(value, "seed", 0, kU64Max); break;
      case Field::depth: depth = static_cast<unsigned>(number(value, "depth", 1, kPctDepthMax)); break;
      case Field::steps: steps = number(value, "steps", 1, kU64Max); break;
      case Field::then:
        if (value != "fifo" && value != "random")
          bad_token(fmt::format("then must be fifo or random, not {}", quote(value)));
        then = parse_kind(value);
        break;
      case Field::d: d = value; break;
    }
  }
  if (!token_seed) bad_token("missing seed=<n>");
  std::vector<std::uint32_t> decisions = decode_decisions(d);
  // The ranges above are the ones Strategy::pct() and replay() accept.
  switch (kind) {
    case Strategy::Kind::fifo: strategy = Strategy::fifo(); break;
    case Strategy::Kind::random: strategy = Strategy::random(); break;
    case Strategy::Kind::pos: strategy = Strategy::pos(); break;
    case Strategy::Kind::portfolio: break;  // parse_kind() never returns it
    case Strategy::Kind::pct: strategy = Strategy::pct(depth, steps); break;
    case Strategy::Kind::replay:
      strategy = Strategy::replay(std::move(decisions),
                                  then == Strategy::Kind::random ? Strategy::random() : Strategy::fifo());
      break;
    case Strategy::Kind::dfs: break;  // parse_kind() never returns it: no dfs token
  }
  seed = *token_seed;
}

}  // namespace

std::string make_token(const Strategy& s, std::uint64_t seed) {
  if (s.kind() == Strategy::Kind::portfolio) return make_token(s.member(seed), seed);
  std::string out = fmt::format("{}:{}:seed={}", kTokenMagic, to_string(s.kind()), seed);
  if (s.kind() == Strategy::Kind::pct)
    out += fmt::format(":depth={}:steps={}", s.pct_depth(), s.pct_steps());
  if (s.kind() == Strategy::Kind::replay)
    out += fmt::format(":then={}:d={}", to_string(s.then()), encode_decisions(s.decisions()));
  return out;
}

std::optional<std::string> try_parse_token(std::string_view token, Strategy& strategy, std::uint64_t& seed) {
  if (token.empty()) return fmt::format("empty replay token (expected {})", kTokenShape);
  try {
    parse(token, strategy, seed);
  } catch (const BadToken& e) {
    return fmt::format("malformed replay token {}: {}", quote(token), e.why);
  }
  return std::nullopt;
}

void parse_token(std::string_view token, Strategy& strategy, std::uint64_t& seed, SourceLocation where) {
  if (auto why = try_parse_token(token, strategy, seed)) fail_misuse(*why, nullptr, where);
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
// Past the step bound, decisions are uniform (Coyote's fair tail): strict
// priorities there would let a fiber that spins waiting for a lower one
// starve it for ever, a livelock no fair scheduler (Go's) can produce, and
// PCT's guarantee concerns the first `steps` steps only.
class PctDecider final : public Decider {
 public:
  PctDecider(std::uint64_t seed, unsigned depth, std::uint64_t steps)
      : rng_(seed), depth_(depth), steps_(steps) {
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
  std::int64_t on_spawn(std::uint64_t) override {
    return static_cast<std::int64_t>(depth_) + static_cast<std::int64_t>(rng_.next() >> 2);
  }
  std::int64_t on_step(std::uint64_t step, std::int64_t priority) override {
    step_ = step;
    while (next_change_ < change_points_.size() && change_points_[next_change_] <= step) {
      ++next_change_;
      priority = static_cast<std::int64_t>(depth_) - static_cast<std::int64_t>(next_change_);
    }
    return priority;
  }
  std::size_t pick(const std::int64_t* priorities, std::size_t n) override {
    if (step_ > steps_) return rng_.below(n);
    return static_cast<std::size_t>(std::max_element(priorities, priorities + n) - priorities);
  }
  std::size_t choose(std::size_t n) override { return rng_.below(n); }

 private:
  Rng rng_;
  unsigned depth_;
  std::uint64_t steps_;
  std::uint64_t step_ = 0;  // the last step on_step() saw
  std::vector<std::uint64_t> change_points_;
  std::size_t next_change_ = 0;
};

// POS: priorities as PCT's initial ones (uniform draws, so a random order),
// drawn again for the running fiber at each of its steps and for each fiber
// made runnable; the highest-priority alternative runs.
class PosDecider final : public Decider {
 public:
  explicit PosDecider(std::uint64_t seed) : rng_(seed) {}
  std::int64_t on_spawn(std::uint64_t) override { return draw(); }
  bool observes() const noexcept override { return true; }
  std::int64_t on_ready(std::uint64_t, std::int64_t) override { return draw(); }
  std::int64_t on_step(std::uint64_t, std::int64_t) override { return draw(); }
  std::size_t pick(const std::int64_t* priorities, std::size_t n) override {
    return static_cast<std::size_t>(std::max_element(priorities, priorities + n) - priorities);
  }
  std::size_t choose(std::size_t n) override { return rng_.below(n); }

 private:
  std::int64_t draw() noexcept { return static_cast<std::int64_t>(rng_.next() >> 2); }
  Rng rng_;
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
  std::size_t choose_rarely() override {
    return next_ < decisions_.size() ? decisions_[next_++] % 2 : then_->choose_rarely();
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
    case Strategy::Kind::pos: return std::make_unique<PosDecider>(seed);
    case Strategy::Kind::portfolio: return make_decider(s.member(seed), seed);
    case Strategy::Kind::pct:
      return std::make_unique<PctDecider>(seed, s.pct_depth(), s.pct_steps());
    case Strategy::Kind::replay:
      return std::make_unique<ReplayDecider>(
          s.decisions(), make_decider(s.then() == Strategy::Kind::random ? Strategy::random()
                                                                         : Strategy::fifo(),
                                      seed));
    case Strategy::Kind::dfs: return make_dfs_decider();
  }
  return std::make_unique<FifoDecider>();
}

}  // namespace detail
}  // namespace lockstep::sim
