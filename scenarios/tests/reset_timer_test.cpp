// reset_timer: stop-drain-reset re-arms a timer without a stale value;
// idle_watch uses it to detect a courier that stopped pinging.
#include "scenarios/patterns/reset_timer.hpp"

#include "scenarios/pattern_checks.hpp"
#include "scenarios/tests/support.hpp"

using namespace std::chrono_literals;
using namespace lockstep;
using namespace lockstep::scenarios;

TEST_CASE("reset_timer: a timer that fired unread is re-armed with no stale value", "[patterns][reset_timer]") {
  // The first deadline (1s) fired at 1s and was never read; after the reset
  // at 2s the channel delivers the new deadline, 3s, not 1s.
  auto r = test::run_fifo([] {
    Timer t(1s);
    sleep(2s);
    reset_timer(t, 1s);
    CHECK(t.chan().recv() == kSimulationEpoch + 3s);
    CHECK(since_start() == 3s);
  });
  CHECK(r.verdict == sim::Verdict::passed);
}

TEST_CASE("reset_timer: idle_watch fires `idle` after the last ping", "[patterns][reset_timer]") {
  // Pings at 1s, 2s and 3s each re-arm the 5s timer: idle at exactly 8s.
  auto r = test::run_fifo([] {
    Chan<Ping> pings(0);
    go("courier-app", [pings] {
      for (int i = 0; i < 3; ++i) {
        sleep(1s);
        pings.send(Ping{7});
      }
    });
    CHECK(idle_watch(pings, 5s) == kSimulationEpoch + 8s);
    CHECK(since_start() == 8s);
  });
  CHECK(r.verdict == sim::Verdict::passed);
}

TEST_CASE("reset_timer: idle_watch ends when the pings channel closes", "[patterns][reset_timer]") {
  auto r = test::run_fifo([] {
    Chan<Ping> pings(0);
    go("courier-app", [pings] {
      sleep(2s);
      pings.close();
    });
    CHECK(idle_watch(pings, 5s) == std::nullopt);
    CHECK(since_start() == 2s);
  });
  CHECK(r.verdict == sim::Verdict::passed);
}
