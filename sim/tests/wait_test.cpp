// sim::wait(), Go's synctest.Wait: returns once every other fiber is durably
// blocked, never moves time, and is misuse outside a simulation or while
// another fiber waits.
#include <catch2/catch.hpp>

#include "sim/tests/support.hpp"

using namespace std::chrono_literals;
namespace sim = lockstep::sim;
using lockstep::Clock;
using lockstep::kSimulationEpoch;

TEST_CASE("wait: returns only when every other fiber is durably blocked", "[wait]") {
  std::vector<int> progress(4, 0);
  auto r = sim::run([&] {
    for (int i = 0; i < 4; ++i)
      lockstep::go([&, i] {
        for (int k = 0; k <= i * 10; ++k) {
          ++progress[i];
          lockstep::yield();
        }
        lockstep::sleep(1h);  // durably blocked from here on
      });
    lockstep::sim::wait();
    CHECK(progress == std::vector<int>{1, 11, 21, 31});
    CHECK(Clock::now() == kSimulationEpoch);  // wait() never moves time
    lockstep::sleep(2h);
  });
  CHECK(r.passed());
  CHECK(r.elapsed() == 2h);
}

TEST_CASE("wait: returns at once when no other fiber can run", "[wait]") {
  auto r = sim::run([] {
    lockstep::sim::wait();
    lockstep::go([] { lockstep::sleep(1s); });
    lockstep::yield();  // the sleeper is now durably blocked
    auto steps_before = Clock::now();
    lockstep::sim::wait();
    CHECK(Clock::now() == steps_before);
    lockstep::sleep(1s);
  });
  CHECK(r.passed());
  CHECK(r.elapsed() == 1s);
}

TEST_CASE("wait: any fiber may call it, one at a time", "[wait]") {
  bool saw_main_blocked = false;
  auto r = sim::run([&] {
    bool main_parked = false;
    lockstep::go([&] {
      lockstep::sim::wait();  // main is asleep by now
      saw_main_blocked = main_parked;
    });
    main_parked = true;
    lockstep::sleep(1s);
  });
  CHECK(r.passed());
  CHECK(saw_main_blocked);
}

TEST_CASE("wait: outside a simulation is misuse naming the caller and site", "[wait][misuse]") {
  int line = __LINE__ + 3;
  // The test's thread is a real thread: "thread <id> "main"" (ids are
  // process-wide on real threads).
  CHECK_THROWS_WITH(lockstep::sim::wait(),
                    Catch::Matches(fmt::format("lockstep: sim::wait\\(\\) outside a simulation \\(in thread "
                                               "[0-9]+ \"main\", at sim/tests/wait_test.cpp:{}\\)",
                                               line)));
}

TEST_CASE("wait: while another fiber waits is misuse", "[wait][misuse]") {
  auto r = sim::run([] {
    lockstep::go("first", [] {
      lockstep::go([] { lockstep::yield(); });  // keeps `first` waiting for a while
      lockstep::sim::wait();
    });
    lockstep::yield();  // `first` is now in wait()
    lockstep::sim::wait();
  });
  CHECK(r.verdict == sim::Verdict::misuse);
  CHECK_THAT(r.message, Catch::Contains("sim::wait() while fiber 2 \"first\""));
}

TEST_CASE("wait: returns before a deadlock is declared, blocking after it is one",
          "[wait][deadlock]") {
  // main waits while the only other fiber blocks forever: wait returns (the
  // other is durably blocked; a waiter is woken before deadlock is checked),
  // then main blocks too: deadlock.
  auto r = sim::run([] {
    lockstep::go([] { lockstep::test::block_forever(); });
    lockstep::sim::wait();
    lockstep::test::block_forever();
  });
  CHECK(r.verdict == sim::Verdict::deadlock);
  CHECK(r.fibers.size() == 2);
}
