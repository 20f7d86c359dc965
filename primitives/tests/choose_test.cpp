// choose(): decisions a simulation makes, records and replays; random on
// real threads (the [both] tests: the same body under a seeded random
// strategy, then on real threads).
#include <set>

#include "primitives/tests/support.hpp"

using lockstep::test::run_both;
using lockstep::test::run_sim;
using lockstep::test::seeded;
namespace sim = lockstep::sim;

TEST_CASE("choose: FIFO picks 0, random explores every index, replay repeats it", "[choose]") {
  auto draws = [](sim::Options o) {
    std::vector<std::size_t> got;
    auto r = run_sim([&] {
      for (int i = 0; i < 20; ++i) got.push_back(lockstep::choose(3));
    }, o);
    REQUIRE(r.passed());
    return std::pair{got, r};
  };
  auto [fifo, fifo_report] = draws({});
  CHECK(fifo == std::vector<std::size_t>(20, 0));
  CHECK(fifo_report.decision_count == 20);
  auto [random, random_report] = draws(seeded(sim::Strategy::random(), 7));
  CHECK(std::set<std::size_t>(random.begin(), random.end()) == std::set<std::size_t>{0, 1, 2});
  sim::Options replay;
  replay.replay = random_report.replay_token;
  CHECK(draws(replay).first == random);
}

TEST_CASE("choose: one alternative is no decision, none is misuse", "[choose][misuse]") {
  auto r = run_sim([] {
    CHECK(lockstep::choose(1) == 0);
    lockstep::choose(0);
  });
  CHECK(r.decision_count == 0);
  CHECK(r.verdict == sim::Verdict::misuse);
  CHECK_THAT(r.message, Catch::Contains("choose(0): no alternative to choose from"));
}

TEST_CASE("choose: every index comes up, under random and on real threads", "[choose][both]") {
  // At most 1000 draws: on real threads a miss has odds below 4 x (3/4)^1000.
  run_both(
      [] {
        std::set<std::size_t> seen;
        for (int i = 0; i < 1000 && seen.size() < 4; ++i) seen.insert(lockstep::choose(4));
        CHECK(seen == std::set<std::size_t>{0, 1, 2, 3});
      },
      seeded(sim::Strategy::random(), 7));
  CHECK_THROWS_WITH(lockstep::choose(0), Catch::Contains("choose(0): no alternative to choose from"));
}

TEST_CASE("choose: each goroutine draws every index on its own", "[choose][both]") {
  // Four goroutines each draw until they have seen both outcomes of a
  // fault injector (fail or not); each reports how many draws it took. On
  // real threads each goroutine runs on its own thread with its own
  // generator: one that never advanced would report a miss.
  run_both(
      [] {
        lockstep::Chan<int> draws(4);
        for (int g = 0; g < 4; ++g)
          lockstep::go("lookup", [draws] {
            std::set<std::size_t> seen;
            int n = 0;
            while (n < 200 && seen.size() < 2) {
              seen.insert(lockstep::choose(2));
              ++n;
            }
            draws.send(seen.size() == 2 ? n : -1);
          });
        for (int g = 0; g < 4; ++g) CHECK(*draws.recv() > 0);
      },
      seeded(sim::Strategy::random(), 11));
}
