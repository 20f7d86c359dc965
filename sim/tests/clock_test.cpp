// The virtual clock: where it starts, how it moves (only when nothing can
// run, straight to the earliest timer), and timer order. Every assertion is
// an exact virtual time.
#include <catch2/catch.hpp>

#include "sim/tests/support.hpp"

using namespace std::chrono_literals;
namespace sim = lockstep::sim;
using lockstep::Clock;
using lockstep::kSimulationEpoch;

TEST_CASE("clock: a simulation starts at 2000-01-01 00:00:00 UTC", "[clock]") {
  lockstep::TimePoint seen;
  auto r = sim::run([&] { seen = Clock::now(); });
  CHECK(seen == kSimulationEpoch);
  CHECK(seen.time_since_epoch() == 946684800s);
  CHECK(lockstep::format_time(seen) == "2000-01-01T00:00:00Z");
  CHECK(r.start == kSimulationEpoch);
  CHECK(r.elapsed() == 0s);
}

TEST_CASE("clock: outside a simulation it reads as Unix time", "[clock]") {
  auto ours = Clock::to_system(Clock::now());
  auto wall = std::chrono::system_clock::now();
  CHECK(std::chrono::abs(ours - wall) < 1s);  // same epoch; not the fixed 2000 start
  CHECK(!sim::in_simulation());
}

TEST_CASE("clock: sleep advances virtual time exactly", "[clock][sleep]") {
  lockstep::test::Trace trace;
  auto r = sim::run([&] {
    lockstep::sleep(1500ms);
    trace.add("a");
    lockstep::sleep(1h);
    trace.add("b");
    lockstep::sleep_until(kSimulationEpoch + 2h);
    trace.add("c");
    lockstep::sleep(1ns);
    trace.add("d");
  });
  CHECK(r.passed());
  CHECK(trace.events == std::vector<std::string>{"a@1.5s", "b@1h0m1.5s", "c@2h0m0s", "d@2h0m0.000000001s"});
  CHECK(r.end == kSimulationEpoch + 2h + 1ns);
}

TEST_CASE("clock: sleep of zero, a negative duration or a past deadline returns at once",
          "[clock][sleep]") {
  auto r = sim::run([] {
    lockstep::sleep(1s);
    lockstep::sleep(0s);
    lockstep::sleep(-5s);
    lockstep::sleep_until(kSimulationEpoch);
    REQUIRE(Clock::now() == kSimulationEpoch + 1s);
  });
  CHECK(r.passed());
  CHECK(r.elapsed() == 1s);
}

TEST_CASE("clock: sleep of Duration::max() saturates instead of overflowing", "[clock][sleep]") {
  auto r = sim::run([] { lockstep::sleep(lockstep::Duration::max()); });
  CHECK(r.verdict == sim::Verdict::livelock);  // the horizon, not a wrapped-around deadline
  CHECK(r.elapsed() == 0s);
}

TEST_CASE("clock: time moves only when no fiber can run", "[clock]") {
  lockstep::TimePoint seen_by_spinner{};
  lockstep::test::Trace trace;
  auto r = sim::run([&] {
    lockstep::go([&] {
      for (int i = 0; i < 1000; ++i) lockstep::yield();
      seen_by_spinner = Clock::now();
      trace.add("spinner done");
    });
    lockstep::sleep(1ms);
    trace.add("main woke");
  });
  CHECK(r.passed());
  CHECK(seen_by_spinner == kSimulationEpoch);
  CHECK(trace.events == std::vector<std::string>{"spinner done@0s", "main woke@1ms"});
}

TEST_CASE("clock: sleepers wake in deadline order, then creation order", "[clock][timers]") {
  lockstep::test::Trace trace;
  auto r2 = sim::run([&] {
    const std::vector<std::pair<std::string, lockstep::Duration>> sleepers{
        {"c", 3s}, {"a1", 1s}, {"b", 2s}, {"a2", 1s}, {"a3", 1s}};
    for (const auto& [name, d] : sleepers)
      lockstep::go(name, [&trace, name = name, d = d] {
        lockstep::sleep(d);
        trace.add(name);
      });
    lockstep::sleep(1h);
  });
  CHECK(r2.passed());
  CHECK(trace.events == std::vector<std::string>{"a1@1s", "a2@1s", "a3@1s", "b@2s", "c@3s"});
}

TEST_CASE("clock: timers with equal deadlines fire in creation order under fifo, in the strategy's order otherwise",
          "[clock][timers][tie]") {
  // Six timers: three due at 1s, three at 2s. Each instant's tie fires in
  // an order the strategy decides (Go promises none); fifo, and decision 0,
  // is creation order. Instants never mix: all of 1s fires before 2s.
  struct Probe : lockstep::detail::TimerNode {
    std::vector<int>* fired;
    int index;
  };
  auto fire_order = [](sim::Strategy strategy) {
    std::vector<int> fired;
    sim::Options o;
    o.strategy = std::move(strategy);
    o.seed = 77;
    auto r = sim::run(
        [&] {
          auto* rt = lockstep::detail::current_runtime();
          std::vector<Probe> probes(6);
          for (int i = 0; i < 6; ++i) {
            probes[i].fired = &fired;
            probes[i].index = i;
            probes[i].when = kSimulationEpoch + (i % 2 == 0 ? 2s : 1s);
            probes[i].fire = [](lockstep::detail::TimerNode& n) {
              auto& p = static_cast<Probe&>(n);
              p.fired->push_back(p.index);
            };
            rt->add_timer(probes[i]);
          }
          lockstep::sleep(3s);
        },
        o);
    CHECK(r.passed());
    CHECK(r.decision_count == 4);  // two per tie of three
    return fired;
  };
  CHECK(fire_order(sim::Strategy::fifo()) == std::vector<int>{1, 3, 5, 0, 2, 4});
  CHECK(fire_order(sim::Strategy::replay({0, 0, 0, 0})) == std::vector<int>{1, 3, 5, 0, 2, 4});
  // Each decision picks among the timers not fired yet, in creation order.
  CHECK(fire_order(sim::Strategy::replay({2, 0, 1, 1})) == std::vector<int>{5, 1, 3, 2, 4, 0});
  CHECK(fire_order(sim::Strategy::random()) == std::vector<int>{3, 1, 5, 2, 4, 0});
  CHECK(fire_order(sim::Strategy::pct()) == std::vector<int>{5, 1, 3, 0, 2, 4});
}

TEST_CASE("clock: every timer due at an instant fires before any fiber runs", "[clock][timers]") {
  // A sleeper and a probe timer are both due at 1s, the sleeper's first.
  // When time moves to 1s both fire before the woken sleeper runs, so its
  // cancel of the probe finds nothing pending (as in Go's synctest: all
  // timers due at the new instant fire, then goroutines run).
  struct Probe : lockstep::detail::TimerNode {
    bool fired = false;
  };
  Probe probe;
  bool cancelled = true;
  auto r = sim::run([&] {
    auto* rt = lockstep::detail::current_runtime();
    lockstep::go("sleeper", [&] {
      lockstep::sleep(1s);
      cancelled = rt->cancel_timer(probe);
    });
    lockstep::yield();  // the sleeper's timer exists now, so it is due first
    probe.when = kSimulationEpoch + 1s;
    probe.fire = [](lockstep::detail::TimerNode& n) { static_cast<Probe&>(n).fired = true; };
    rt->add_timer(probe);
    lockstep::sleep(2s);
  });
  CHECK(r.passed());
  CHECK(probe.fired);
  CHECK_FALSE(cancelled);
}

TEST_CASE("clock: a cancelled timer never fires, an expired one fires at once", "[clock][timers]") {
  std::vector<int> fired;
  struct Probe : lockstep::detail::TimerNode {
    std::vector<int>* fired;
    int index;
  };
  auto r = sim::run([&] {
    auto* rt = lockstep::detail::current_runtime();
    Probe a, b, past;
    for (auto [p, i, d] : {std::tuple{&a, 1, 1s}, std::tuple{&b, 2, 2s}, std::tuple{&past, 3, 0s}}) {
      p->fired = &fired;
      p->index = i;
      p->when = Clock::now() + d;
      p->fire = [](lockstep::detail::TimerNode& n) {
        auto& probe = static_cast<Probe&>(n);
        probe.fired->push_back(probe.index);
      };
    }
    rt->add_timer(a);
    rt->add_timer(b);
    CHECK(rt->cancel_timer(a));
    CHECK_FALSE(rt->cancel_timer(a));
    rt->add_timer(past);  // due now: fires before add_timer returns
    CHECK(fired == std::vector<int>{3});
    lockstep::sleep(5s);
    CHECK_FALSE(rt->cancel_timer(b));  // already fired
  });
  CHECK(r.passed());
  CHECK(fired == std::vector<int>{3, 2});
}

TEST_CASE("clock: durations and times print exactly", "[clock][format]") {
  using lockstep::format_duration;
  CHECK(format_duration(0s) == "0s");
  CHECK(format_duration(1ns) == "1ns");
  CHECK(format_duration(1500ns) == "1.5us");
  CHECK(format_duration(-3us) == "-3us");
  CHECK(format_duration(250ms) == "250ms");
  CHECK(format_duration(1500ms) == "1.5s");
  CHECK(format_duration(1h) == "1h0m0s");
  CHECK(format_duration(1h + 2min + 3500ms) == "1h2m3.5s");
  CHECK(format_duration(90s) == "1m30s");
  CHECK(lockstep::format_time(kSimulationEpoch + 36h + 1ms) == "2000-01-02T12:00:00.001Z");
}
