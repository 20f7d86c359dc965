// PCT's guarantee, measured: on programs whose bug depth d (1, 2, 3) and
// fiber count n are known, 10,000 seeds find the bug at least as often as
// Burckhardt et al.'s bound 1/(n k^(d-1)), k the step bound the runs used.
// And the bound adapts: after a long run, change points land past the old
// fixed 1000.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <string>

#include "sim/tests/support.hpp"

namespace sim = lockstep::sim;

namespace {

constexpr std::uint64_t kSeeds = 10'000;

// pad() takes `steps` scheduling points on a counter nobody else touches:
// work that makes a run long without changing who can interleave where.
void pad(int steps) {
  lockstep::Atomic<int> local{0};
  for (int i = 0; i < steps; ++i) local.fetch_add(1);
}

// One run of a program: true if its bug showed.
using Program = std::function<bool(const sim::Options&, sim::Report&)>;

// run_pair() runs `first` and `second` as two fibers spawned in that order
// by main, which waits for both: n = 3 fibers.
sim::Report run_pair(const sim::Options& o, std::function<void()> first, std::function<void()> second) {
  return sim::run(
      [&] {
        lockstep::WaitGroup wg;
        wg.add(2);
        for (auto* body : {&first, &second})
          lockstep::go([&wg, body] {
            (*body)();
            wg.done();
          });
        wg.wait();
      },
      o);
}

// Ordering bug of depth 1 (one constraint: the reader's load before the
// writer's store).
bool ordering_bug(const sim::Options& o, sim::Report& report) {
  bool stale = false;
  lockstep::Atomic<int> ready{0};
  report = run_pair(
      o,
      [&] {
        pad(10);
        stale = ready.load() == 0;
      },
      [&] {
        pad(10);
        ready.store(1);
      });
  return stale;
}

// Atomicity violation of depth 2 (the first incrementer preempted between
// its load and its store, then the other's load before that store): a lost
// update.
bool lost_update(const sim::Options& o, sim::Report& report) {
  lockstep::Atomic<int> x{0};
  auto increment = [&] {
    pad(10);
    int v = x.load();
    x.store(v + 1);
  };
  report = run_pair(o, increment, increment);
  return x.load() == 1;
}

// Order violation of depth 3: two writers each log twice, and the bug is the
// one exact interleaving a, b, a, b (three ordering constraints: a's first
// before b's first, b's first before a's second, a's second before b's
// second).
bool alternation(const sim::Options& o, sim::Report& report) {
  std::string log;
  lockstep::Atomic<int> clock{0};
  auto writer = [&](char name) {
    return [&log, &clock, name] {
      pad(10);
      for (int i = 0; i < 2; ++i) {
        clock.fetch_add(1);  // the scheduling point before each entry
        log += name;
      }
    };
  };
  report = run_pair(o, writer('a'), writer('b'));
  return log == "abab";
}

struct Measured {
  std::uint64_t hits = 0;
  std::uint64_t longest = 0;  // the most steps a run took: the adaptive bound's k
  double rate() const { return static_cast<double>(hits) / kSeeds; }
};

// measure() runs seeds 1..kSeeds as an exploration does: each run's steps
// feed the next run's adaptive bound.
Measured measure(const Program& program, sim::Strategy strategy) {
  Measured m;
  sim::Options o;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    o.strategy = strategy;
    o.seed = seed;
    sim::Report r;
    if (program(o, r)) ++m.hits;
    REQUIRE(r.passed());
    strategy.adapt(r.steps);
    m.longest = std::max(m.longest, r.steps);
  }
  return m;
}

}  // namespace

TEST_CASE("pct: an ordering bug of depth 1 is found at least 1/n of the time", "[strategy][pct][bound]") {
  // Depth 1 has no change points: the bound 1/n does not involve k.
  Measured m = measure(ordering_bug, sim::Strategy::pct(1));
  INFO("hits " << m.hits << " of " << kSeeds);
  CHECK(m.rate() >= 1.0 / 3);
}

TEST_CASE("pct: an atomicity violation of depth 2 is found at least 1/(n k) of the time, k adaptive",
          "[strategy][pct][bound]") {
  Measured adaptive = measure(lost_update, sim::Strategy::pct(2));
  Measured fixed = measure(lost_update, sim::Strategy::pct(2, 1000));  // the bound before it adapted
  INFO("adaptive: hits " << adaptive.hits << ", k " << adaptive.longest << "; fixed k=1000: hits " << fixed.hits);
  CHECK(adaptive.longest == fixed.longest);  // same program: the same longest run
  CHECK(adaptive.rate() >= 1.0 / (3.0 * static_cast<double>(adaptive.longest)));
  // With k = 1000 on a run of a few dozen steps, the one change point almost
  // always lands after the run ended: the bound is then only 1/(3*1000).
  CHECK(fixed.rate() >= 1.0 / (3.0 * 1000));
  CHECK(adaptive.hits > 10 * fixed.hits);
}

TEST_CASE("pct: an order violation of depth 3 is found at least 1/(n k^2) of the time, k adaptive",
          "[strategy][pct][bound]") {
  Measured m = measure(alternation, sim::Strategy::pct(3));
  double k = static_cast<double>(m.longest);
  INFO("hits " << m.hits << " of " << kSeeds << ", k " << m.longest);
  CHECK(m.rate() >= 1.0 / (3.0 * k * k));
  CHECK(m.hits == 13);
}

TEST_CASE("pct: the adaptive bound is the longest run seen, so change points can land late",
          "[strategy][pct][adaptive]") {
  // A worker takes 3000 steps; an observer notes how far it got when the
  // observer ran. Under a bound of 1000 the one change point (depth 2) is at
  // step 1000 at the latest, so the observer sees the worker stopped at or
  // before 1000, or finished. Once the bound has adapted to the long run,
  // the worker can be stopped later.
  constexpr int kWork = 3000;
  auto seen_in = [](const sim::Options& o, sim::Report& report) {
    int seen = -1;
    lockstep::Atomic<int> progress{0};
    report = run_pair(
        o,
        [&] {
          for (int i = 0; i < kWork; ++i) progress.fetch_add(1);
        },
        [&] { seen = progress.load(); });
    return seen;
  };
  auto stopped_late = [&](sim::Strategy strategy) {
    sim::Options o;
    bool late = false;
    std::uint64_t longest = 0;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      o.strategy = strategy;
      o.seed = seed;
      sim::Report r;
      int seen = seen_in(o, r);
      REQUIRE(r.passed());
      late = late || (seen > 1000 && seen < kWork);
      strategy.adapt(r.steps);
      longest = std::max(longest, r.steps);
      // Adaptive: the longest run so far; fixed: unchanged.
      CHECK(strategy.pct_steps() == (strategy.pct_adaptive() ? longest : 1000));
    }
    return late;
  };
  CHECK_FALSE(stopped_late(sim::Strategy::pct(2, 1000)));
  CHECK(stopped_late(sim::Strategy::pct(2)));
}

TEST_CASE("pct: an adaptive bound's run replays from its token", "[strategy][pct][replay]") {
  // The token carries the bound the run used (steps=), so the schedule
  // replays exactly, as a fixed-bound pct.
  auto strategy = sim::Strategy::pct(2);
  CHECK(sim::describe(strategy) == "pct(depth=2, adaptive steps)");
  strategy.adapt(37);
  CHECK(sim::describe(strategy) == "pct(depth=2, adaptive steps=37)");
  sim::Options o;
  o.strategy = strategy;
  o.seed = 5;
  sim::Report original;
  lost_update(o, original);
  CHECK(original.replay_token == "lockstep1:pct:seed=5:depth=2:steps=37");
  sim::Options again;
  again.replay = original.replay_token;
  sim::Report replayed;
  lost_update(again, replayed);
  CHECK(replayed.decisions == original.decisions);
  CHECK(replayed.strategy == sim::Strategy::pct(2, 37));
  // A token written before the bound adapted has the same fields: it decodes
  // to the fixed bound it names.
  sim::Strategy old = sim::Strategy::fifo();
  std::uint64_t seed = 0;
  sim::parse_token("lockstep1:pct:seed=7:depth=3:steps=1000", old, seed);
  CHECK(old == sim::Strategy::pct(3, 1000));
  CHECK_FALSE(old.pct_adaptive());
  CHECK(seed == 7);
}
