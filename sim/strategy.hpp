// Scheduling strategies and replay tokens.
//
// A simulation asks its strategy at every *decision*: a scheduling point with
// more than one runnable fiber (which one runs next), and every choose(n) with
// n > 1 (which ready select case, ...). A decision is an index among the
// alternatives, and index 0 is always what FIFO would do:
//   - at a preemption point: [current, run queue...]   (0 = keep running)
//   - at yield:              [run queue..., current]   (0 = the oldest waiter)
//   - at park or exit:       [run queue...]            (0 = the oldest waiter)
//   - choose(n):             [0, n)                    (0 = the first case)
// so a replayed decision list that shrinks toward zeros shrinks toward FIFO.
//
// Strategies:
//   fifo            always 0: run to the next park, no preemption (default)
//   random(seed)    uniform among the alternatives at every decision
//   pct(seed, depth, steps)
//                   Burckhardt et al., ASPLOS'10: every fiber gets a random
//                   priority at spawn, the highest-priority runnable fiber
//                   runs, and at depth-1 steps drawn from [1, steps] the
//                   running fiber drops below all others. Finds any bug of
//                   depth d with probability >= 1/(n k^(d-1)), n fibers and
//                   k = steps >= the run's steps. By default `steps` adapts:
//                   the longest run an exploration has seen so far (as
//                   Coyote does), kPctStepsEstimate before the first.
//                   Past `steps` steps, every decision is uniform, so a
//                   fiber spinning on a lower one cannot starve it.
//   dfs             the systematic search's own (sim/dfs.hpp): runs only
//                   under explore_dfs(), which makes every decision
//   pos(seed)       partial-order aware sampling (Yuan et al., CAV'18): every
//                   runnable fiber's next operation holds a random priority,
//                   the highest runs, and only the priorities of the
//                   operations that step changed are drawn again: the fiber
//                   that ran, and every fiber it readied (they waited on the
//                   object it operated on: a conflict). Operations of other
//                   fibers keep theirs, so reordering independent operations
//                   does not spend the run's probability.
//   portfolio(seed) the default of fuzz cases and the runner: schedule i runs
//                   one member, chosen by its seed (seed mod 5): random,
//                   pct depth 1, 2, 3 (adaptive steps) and pos. The report and
//                   token name the member, so a token replays the schedule.
//   replay(decisions, then)
//                   take the decisions in order (an index >= n is taken modulo
//                   n, so shrunk lists stay valid), then continue with `then`.
// The seed also feeds choose() under pct, random and pos.
//
// Same options => same decisions => the same run, bit for bit: the generator
// is specified here (xoshiro256**, Lemire's bounded draw), not std::
// distributions, whose results differ between standard libraries.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/source_location.hpp"

namespace lockstep::sim {

// The deepest PCT search Strategy::pct() accepts (depth 1..kPctDepthMax).
inline constexpr unsigned kPctDepthMax = 64;
// kPctStepsAdaptive, as pct()'s `steps`, asks for the adaptive step bound.
inline constexpr std::uint64_t kPctStepsAdaptive = 0;
// kPctStepsEstimate is the adaptive bound's guess for an exploration's first
// schedule, before any run was measured: the fixed default before the bound
// adapted, so a single run behaves as it always did.
inline constexpr std::uint64_t kPctStepsEstimate = 1000;

class Strategy {
 public:
  enum class Kind { fifo, random, pct, replay, dfs, pos, portfolio };

  static Strategy fifo() { return Strategy{Kind::fifo}; }
  static Strategy random() { return Strategy{Kind::random}; }
  // dfs() is for explore_dfs() (sim/dfs.hpp) only: a run with it anywhere
  // else is misuse. Its reports carry a replay token, never a dfs one.
  static Strategy dfs() { return Strategy{Kind::dfs}; }
  static Strategy pos() { return Strategy{Kind::pos}; }
  // portfolio()'s pct members share one adaptive step bound (adapt()).
  static Strategy portfolio() {
    Strategy s{Kind::portfolio};
    s.pct_adaptive_ = true;
    return s;
  }
  // pct() checks 1 <= depth <= kPctDepthMax (Misuse otherwise). `steps` is
  // the fixed step bound k, or kPctStepsAdaptive for one that adapt() grows.
  static Strategy pct(unsigned depth = 3, std::uint64_t steps = kPctStepsAdaptive,
                      SourceLocation where = SourceLocation::current());
  // replay() follows `decisions`, then `then` (fifo or random; Misuse otherwise).
  static Strategy replay(std::vector<std::uint32_t> decisions, Strategy then = fifo(),
                         SourceLocation where = SourceLocation::current());

  Kind kind() const noexcept { return kind_; }
  unsigned pct_depth() const noexcept { return pct_depth_; }
  // pct_steps() is the step bound the next schedule uses (>= 1): the fixed
  // one, or the adaptive one as adapt() left it.
  std::uint64_t pct_steps() const noexcept { return pct_longest_ > 0 ? pct_longest_ : pct_steps_; }
  bool pct_adaptive() const noexcept { return pct_adaptive_; }
  // pct_adaptive_measured(): an adaptive bound that adapt() has set.
  bool pct_adaptive_measured() const noexcept { return pct_longest_ > 0; }
  // adapt() tells the strategy a schedule of its exploration took
  // `run_steps` steps (Report::steps). An adaptive pct's bound becomes the
  // longest run seen so far; anything else ignores it. Explorations call it
  // after each schedule, in schedule order, so schedule i's bound depends
  // only on schedules 0..i-1 and the same seeds give the same schedules.
  void adapt(std::uint64_t run_steps) noexcept {
    if (pct_adaptive_) pct_longest_ = std::max(pct_longest_, run_steps);
  }
  // member() is the strategy a schedule with this seed runs: a portfolio's
  // member (see the table above; a pct member's bound is the current one,
  // fixed), or the strategy itself.
  Strategy member(std::uint64_t seed) const;
  const std::vector<std::uint32_t>& decisions() const noexcept { return decisions_; }
  Kind then() const noexcept { return then_; }

  bool operator==(const Strategy&) const = default;

 private:
  explicit Strategy(Kind k) : kind_(k) {}
  Kind kind_ = Kind::fifo;
  unsigned pct_depth_ = 3;
  std::uint64_t pct_steps_ = kPctStepsEstimate;  // fixed bound, or the first schedule's guess
  bool pct_adaptive_ = false;
  std::uint64_t pct_longest_ = 0;  // adaptive: longest run seen, 0 before any
  std::vector<std::uint32_t> decisions_;
  Kind then_ = Kind::fifo;
};

std::string to_string(Strategy::Kind k);
// describe() is short and human: "pct(depth=3, steps=1000)", "pct(depth=3,
// adaptive steps)" before the first run is measured, "pct(depth=3, adaptive
// steps=57)" after (the bound the next schedule uses), "replay(12 decisions,
// then fifo)", "portfolio(random, pct depth 1-3, pos; adaptive steps=57)".
std::string describe(const Strategy& s);

// A replay token is one line that rebuilds a run's decisions:
//   lockstep1:fifo:seed=0
//   lockstep1:random:seed=42
//   lockstep1:pct:seed=7:depth=3:steps=1000
//   lockstep1:pos:seed=9
//   lockstep1:replay:seed=0:then=fifo:d=0x3.1.0.2x2
// After "lockstep1:<strategy>", key=value fields in any order, each at most
// once; every number is decimal digits only:
//   seed   0..18446744073709551615, required
//   depth  1..64 (pct only; default 3)
//   steps  1..18446744073709551615 (pct only; default 1000)
//   then   fifo or random (replay only; default fifo)
//   d      the decisions (replay only; default none): dot-separated items,
//          each a decision 0..4294967295 or <decision>x<count> for a run of
//          equal decisions ("0x3" = three zeros), count 1..kReplayDecisionsMax;
//          in all at most kReplayDecisionsMax decisions.
// A portfolio's token is its member's (member(seed)): there is no portfolio
// token. Pass it as Options::replay or the LOCKSTEP_REPLAY environment variable.
// A pct token's steps= is the bound that run used, adaptive or not: with the
// seed and depth it fixes every priority and change point, so the token
// replays the schedule exactly (as a fixed-bound pct) and tokens written
// before the bound adapted decode and replay as they did.
std::string make_token(const Strategy& s, std::uint64_t seed);

// kReplayDecisionsMax caps a token's decoded decisions, checked before
// anything is allocated, so a short token cannot ask for gigabytes. The cap
// is what a real run records: one decision per scheduling step at most (plus
// choose() calls), at about 10 million decisions a second, and a run that
// spins without moving virtual time ends as livelock after
// Options::livelock_steps (default 100,000,000) steps. 2^27 = 134,217,728 is
// the power of two above that budget: 512 MiB of decisions, about 13 s of
// simulation. The runs of the catalog and the tests record thousands.
inline constexpr std::size_t kReplayDecisionsMax = std::size_t{1} << 27;

// parse_token() throws Misuse naming the bad part of a malformed token
// (try_parse_token()'s reason).
void parse_token(std::string_view token, Strategy& strategy, std::uint64_t& seed,
                 SourceLocation where = SourceLocation::current());
// try_parse_token() is parse_token() for callers that report bad input
// themselves (the runner): the one-line reason a token is malformed
// (`malformed replay token "...": ...` or `empty replay token ...`), or
// nullopt after setting `strategy` and `seed`. It throws nothing but
// std::bad_alloc.
std::optional<std::string> try_parse_token(std::string_view token, Strategy& strategy, std::uint64_t& seed);

namespace detail {

// The seeded generator every random decision comes from.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) noexcept;
  std::uint64_t next() noexcept;
  // below(n) is uniform in [0, n); n > 0.
  std::uint64_t below(std::uint64_t n) noexcept;

 private:
  std::uint64_t s_[4];
};

// kRareOdds: how seldom a sampling strategy takes a rare decision's unusual
// alternative (Mutex barging). Measured on bench/bug_hunt's two-stage
// protocol (99 writers): at even odds a barge at every contended lock hides
// the bug from every strategy (pos found it in 2 of 20 explorations of
// 10,000 schedules); at 1 in 32 pos finds it in all 20 (median 297).
inline constexpr std::size_t kRareOdds = 32;

// The strategy as the scheduler uses it. `alternatives` are the fibers' PCT
// priorities in decision order (see the table above); non-PCT deciders only
// look at the count.
class Decider {
 public:
  virtual ~Decider() = default;
  // on_spawn() returns the new fiber `id`'s priority (PCT) or 0.
  virtual std::int64_t on_spawn(std::uint64_t /*id*/) { return 0; }
  // observes() asks for the two calls below, which the scheduler otherwise
  // skips (they are on the path of every wake-up).
  virtual bool observes() const noexcept { return false; }
  // on_ready() returns the priority of fiber `id`, made runnable by the
  // running one (POS draws a new one: the fiber's next operation changed).
  virtual std::int64_t on_ready(std::uint64_t /*id*/, std::int64_t priority) { return priority; }
  // on_time_moved(): virtual time moved, or wait() returned, after every
  // runnable fiber ran (the systematic search's happens-before).
  virtual void on_time_moved() {}
  // on_step() may lower the running fiber's priority (PCT change points);
  // returns the new priority or `priority` unchanged.
  virtual std::int64_t on_step(std::uint64_t /*step*/, std::int64_t priority) { return priority; }
  virtual std::size_t pick(const std::int64_t* priorities, std::size_t n) = 0;
  virtual std::size_t choose(std::size_t n) = 0;
  // choose_rarely() is a two-way decision whose 1 is the unusual
  // alternative (Simulation::rarely()): a sampler takes it once in
  // kRareOdds, through choose(); a systematic search or a replay overrides
  // it to treat it as choose(2).
  virtual std::size_t choose_rarely() { return choose(kRareOdds) == kRareOdds - 1 ? 1 : 0; }
  // fifo() lets the scheduler skip the virtual calls on its fast path.
  virtual bool fifo() const noexcept { return false; }
};

std::unique_ptr<Decider> make_decider(const Strategy& s, std::uint64_t seed);

}  // namespace detail
}  // namespace lockstep::sim
