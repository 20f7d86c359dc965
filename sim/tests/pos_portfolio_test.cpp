// POS and the portfolio: POS is deterministic per seed, explores orders fifo
// does not, and its token replays it; the portfolio runs one member per
// schedule, chosen by the seed, and its reports and tokens name that member,
// so a failing portfolio schedule replays as that member alone.
#include <catch2/catch.hpp>

#include <set>

#include "sim/tests/support.hpp"

namespace sim = lockstep::sim;

namespace {

sim::Options with(sim::Strategy s, std::uint64_t seed) {
  sim::Options o;
  o.strategy = std::move(s);
  o.seed = seed;
  return o;
}

// Three fibers appending their name at each of three preemption points.
struct Order {
  std::string text;
  sim::Report report;
};

Order interleave(const sim::Options& o) {
  Order out;
  out.report = sim::run(
      [&out] {
        lockstep::WaitGroup wg;
        wg.add(3);
        for (const char* name : {"a", "b", "c"})
          lockstep::go([&out, &wg, name] {
            lockstep::Atomic<int> local{0};
            for (int i = 0; i < 3; ++i) {
              local.fetch_add(1);
              out.text += name;
            }
            wg.done();
          });
        wg.wait();
      },
      o);
  return out;
}

}  // namespace

TEST_CASE("pos: the same seed gives the same run, and its token replays it", "[strategy][pos]") {
  Order a = interleave(with(sim::Strategy::pos(), 7));
  Order b = interleave(with(sim::Strategy::pos(), 7));
  CHECK(a.report.passed());
  CHECK(a.text == b.text);
  CHECK(a.report.decisions == b.report.decisions);
  CHECK(a.report.replay_token == "lockstep1:pos:seed=7");
  CHECK(sim::describe(a.report.strategy) == "pos");
  sim::Options replay;
  replay.replay = a.report.replay_token;
  CHECK(interleave(replay).text == a.text);
}

TEST_CASE("pos: explores interleavings fifo never runs", "[strategy][pos]") {
  std::set<std::string> seen;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) seen.insert(interleave(with(sim::Strategy::pos(), seed)).text);
  CHECK(interleave({}).text == "aaabbbccc");
  CHECK(seen.size() == 16);
}

TEST_CASE("portfolio: seed s runs member s mod 5, named in the report and its token", "[strategy][portfolio]") {
  const char* tokens[] = {"lockstep1:random:seed=10", "lockstep1:pct:seed=11:depth=1:steps=1000",
                          "lockstep1:pct:seed=12:depth=2:steps=1000", "lockstep1:pct:seed=13:depth=3:steps=1000",
                          "lockstep1:pos:seed=14"};
  for (std::uint64_t seed = 10; seed < 15; ++seed) {
    Order portfolio = interleave(with(sim::Strategy::portfolio(), seed));
    CHECK(portfolio.report.replay_token == tokens[seed - 10]);
    CHECK(sim::make_token(sim::Strategy::portfolio(), seed) == tokens[seed - 10]);
    // The member alone runs the same schedule.
    sim::Options replay;
    replay.replay = tokens[seed - 10];
    CHECK(interleave(replay).text == portfolio.text);
  }
}

TEST_CASE("portfolio: its pct members share the adaptive bound", "[strategy][portfolio][pct]") {
  sim::Strategy s = sim::Strategy::portfolio();
  CHECK(sim::describe(s) == "portfolio(random, pct depth 1-3, pos)");
  s.adapt(57);
  s.adapt(40);
  CHECK(sim::describe(s) == "portfolio(random, pct depth 1-3, pos; adaptive steps=57)");
  CHECK(sim::make_token(s, 3) == "lockstep1:pct:seed=3:depth=3:steps=57");
  CHECK(s.member(3) == sim::Strategy::pct(3, 57));
  CHECK(s.member(5) == sim::Strategy::random());
}

TEST_CASE("portfolio: there is no portfolio token", "[strategy][portfolio][token]") {
  sim::Strategy st = sim::Strategy::fifo();
  std::uint64_t seed = 0;
  CHECK(sim::try_parse_token("lockstep1:portfolio:seed=1", st, seed) ==
        "malformed replay token \"lockstep1:portfolio:seed=1\": unknown strategy \"portfolio\" "
        "(expected fifo, random, pct, replay or pos)");
  CHECK(sim::try_parse_token("lockstep1:pos:seed=1:depth=2", st, seed) ==
        "malformed replay token \"lockstep1:pos:seed=1:depth=2\": unexpected field \"depth\" for pos");
}
