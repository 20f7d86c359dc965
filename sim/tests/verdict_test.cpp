// Verdicts: every run ends in exactly one, with the exact message and dump.
// Each test builds the situation on purpose and asserts the whole outcome:
// verdict, message, virtual end time and dump lines (line numbers come from
// __LINE__ captured next to the code that blocks or spawns).
#include <catch2/catch.hpp>

#include <stdexcept>

#include "sim/tests/support.hpp"

using namespace std::chrono_literals;
namespace sim = lockstep::sim;
using lockstep::test::block_forever;
using lockstep::test::Gate;

namespace {
std::string here(int line) { return fmt::format("sim/tests/verdict_test.cpp:{}", line); }
}  // namespace

TEST_CASE("verdict: passed when main returns and no fiber remains", "[verdict]") {
  int ran = 0;
  auto r = sim::run([&] {
    lockstep::go([&] { ++ran; });
    lockstep::sleep(1s);
  });
  CHECK(r.verdict == sim::Verdict::passed);
  CHECK(r.message == "passed");
  CHECK(r.elapsed() == 1s);
  CHECK(ran == 1);
  CHECK(r.fibers_spawned == 2);
  CHECK(r.peak_fibers == 2);
  CHECK(r.dump().empty());
}

TEST_CASE("verdict: deadlock when main blocks forever with no timer pending", "[verdict][deadlock]") {
  int line = 0;
  auto r = sim::run([&] {
    lockstep::sleep(3s);
    Gate gate("gate #1");
    line = __LINE__ + 1;
    block_forever(&gate);
  });
  CHECK(r.verdict == sim::Verdict::deadlock);
  CHECK(r.message == "deadlock: all fibers are blocked and no timer is pending");
  CHECK(r.elapsed() == 3s);
  CHECK(r.dump() ==
        "wait-for graph: no cycle\n"
        "  fiber 1 \"main\" waits on gate #1 (since +3s): no fiber can ever end a wait on gate #1\n"
        "goroutine dump at +3s (2000-01-01T00:00:03Z): 1 fiber in 1 group\n"
        "1 fiber blocked [test block] at " + here(line) + ", spawned at " + here(line - 4) + "\n"
        "  fiber 1 \"main\" on gate #1 since +3s\n");
}

TEST_CASE("verdict: leak names the fibers left after main returned, grouped by site",
          "[verdict][leak]") {
  int spawn_line = 0, block_line = 0, other_line = 0;
  auto r = sim::run([&] {
    for (int i = 0; i < 3; ++i) {
      spawn_line = __LINE__ + 1;
      lockstep::go(fmt::format("worker-{}", i), [&] {
        block_line = __LINE__ + 1;
        block_forever();
      });
    }
    other_line = __LINE__ + 1;
    lockstep::go("sleeper", [] { lockstep::sleep(1h); });
    lockstep::sleep(1s);
  });
  CHECK(r.verdict == sim::Verdict::leak);
  CHECK(r.message == "leak: main returned but 4 fibers remain blocked");
  // Time stops when main returns, as in Go 1.25: the sleeper never wakes.
  CHECK(r.elapsed() == 1s);
  CHECK(r.dump() ==
        "wait-for graph: no cycle\n"
        "  fiber 2 \"worker-0\" is blocked [test block] (since +0s)\n"
        "  fiber 3 \"worker-1\" is blocked [test block] (since +0s)\n"
        "  fiber 4 \"worker-2\" is blocked [test block] (since +0s)\n"
        "  fiber 5 \"sleeper\" sleeps (since +0s)\n"
        "goroutine dump at +1s (2000-01-01T00:00:01Z): 4 fibers in 2 groups\n"
        "3 fibers blocked [test block] at " + here(block_line) + ", spawned at " + here(spawn_line) + "\n"
        "  fiber 2 \"worker-0\" since +0s\n"
        "  fiber 3 \"worker-1\" since +0s\n"
        "  fiber 4 \"worker-2\" since +0s\n"
        "1 fiber blocked [sleep] at " + here(other_line) + ", spawned at " + here(other_line) + "\n"
        "  fiber 5 \"sleeper\" since +0s\n");
}

TEST_CASE("verdict: a fiber still running when main returns finishes first", "[verdict][leak]") {
  // Go's rule: the leak check waits until the others are durably blocked.
  bool finished = false;
  auto r = sim::run([&] {
    lockstep::go([&] {
      for (int i = 0; i < 5; ++i) lockstep::yield();
      finished = true;
    });
  });
  CHECK(r.verdict == sim::Verdict::passed);
  CHECK(finished);
}

TEST_CASE("verdict: livelock when steps pass the budget without time moving", "[verdict][livelock]") {
  sim::Options o;
  o.livelock_steps = 1000;
  int spin_line = 0, spawn_line = 0;
  auto r = sim::run(
      [&] {
        lockstep::sleep(2s);
        spawn_line = __LINE__ + 1;
        lockstep::go("spinner", [&] {
          for (;;) {
            spin_line = __LINE__ + 1;
            lockstep::yield();
          }
        });
        Gate gate("gate #2");
        block_forever(&gate);
      },
      o);
  CHECK(r.verdict == sim::Verdict::livelock);
  CHECK(r.message == "livelock: 1000 scheduling steps without virtual time moving");
  CHECK(r.elapsed() == 2s);
  CHECK(r.dump() ==
        "goroutine dump at +2s (2000-01-01T00:00:02Z): 2 fibers in 2 groups\n"
        "1 fiber blocked [test block] at " + here(spawn_line + 7) + ", spawned at " + here(spawn_line - 4) + "\n"
        "  fiber 1 \"main\" on gate #2 since +2s\n"
        "1 fiber running, last scheduling point at " + here(spin_line) + ", spawned at " + here(spawn_line) + "\n"
        "  fiber 2 \"spinner\"\n");
}

TEST_CASE("verdict: livelock when virtual time would pass the horizon", "[verdict][livelock]") {
  sim::Options o;
  o.horizon = 10h;
  int wakeups = 0;
  auto r = sim::run(
      [&] {
        for (;;) {  // a polite retry loop that never gives up
          lockstep::sleep(3h);
          ++wakeups;
        }
      },
      o);
  CHECK(r.verdict == sim::Verdict::livelock);
  CHECK(r.message == "livelock: virtual time would pass the horizon of 10h0m0s (next timer at +12h0m0s)");
  CHECK(r.elapsed() == 9h);
  CHECK(wakeups == 3);
}

TEST_CASE("verdict: exception names the fiber and its spawn site", "[verdict][exception]") {
  int line = 0;
  auto r = sim::run([&] {
    line = __LINE__ + 1;
    lockstep::go("thrower", [] {
      lockstep::sleep(5ms);
      throw std::runtime_error("boom");
    });
    lockstep::sleep(1s);
  });
  CHECK(r.verdict == sim::Verdict::exception);
  CHECK(r.message == "exception in fiber 2 \"thrower\" (spawned at " + here(line) + "): boom");
  CHECK(r.elapsed() == 5ms);
  REQUIRE(r.exception);
  CHECK_THROWS_WITH(std::rethrow_exception(r.exception), "boom");
  // The dump shows the thrower (running) and main, asleep.
  CHECK(r.fibers.size() == 2);
  CHECK(r.fibers[1].state == sim::FiberState::running);
  CHECK(r.fibers[0].reason == "sleep");
}

TEST_CASE("verdict: misuse escaping a fiber is its own verdict", "[verdict][misuse]") {
  auto r = sim::run([] {
    lockstep::go("second-waiter", [] { lockstep::sim::wait(); });
    lockstep::go("busy", [] { lockstep::yield(); });
    lockstep::sim::wait();
  });
  CHECK(r.verdict == sim::Verdict::misuse);
  CHECK_THAT(r.message, Catch::StartsWith("misuse in fiber 2 \"second-waiter\" (spawned at "));
  CHECK_THAT(r.message, Catch::Contains(
                            "lockstep: sim::wait() while fiber 1 \"main\" (spawned at "));
  CHECK_THAT(r.message, Catch::Contains("is already waiting (in fiber 2 \"second-waiter\", at "));
  REQUIRE(r.exception);
  CHECK_THROWS_AS(std::rethrow_exception(r.exception), lockstep::Misuse);
}

TEST_CASE("verdict: teardown unwinds every fiber left, running destructors", "[verdict][teardown]") {
  struct Counted {
    int* count;
    ~Counted() { ++*count; }
  };
  int destroyed = 0;
  auto r = sim::run([&] {
    for (int i = 0; i < 10; ++i)
      lockstep::go([&] {
        Counted c{&destroyed};
        block_forever();
      });
    lockstep::go([&] {  // swallows the cancellation and blocks again: still torn down
      Counted c{&destroyed};
      try {
        block_forever();
      } catch (...) {
      }
      block_forever();
    });
    lockstep::yield();
  });
  CHECK(r.verdict == sim::Verdict::leak);
  CHECK(destroyed == 11);
}

TEST_CASE("verdict: never-started fibers are released without running", "[verdict][teardown]") {
  int started = 0;
  auto r = sim::run([&] {
    lockstep::go([&] { ++started; });
    throw std::runtime_error("main fails first");
  });
  CHECK(r.verdict == sim::Verdict::exception);
  CHECK(started == 0);
}

TEST_CASE("verdict: the report prints the replay line only for failures", "[verdict][report]") {
  sim::Options o;
  o.strategy = sim::Strategy::random();
  o.seed = 9;
  auto ok = sim::run([] { lockstep::yield(); }, o);
  CHECK_THAT(sim::to_string(ok), !Catch::Contains("LOCKSTEP_REPLAY"));
  auto bad = sim::run([] { block_forever(); }, o);
  CHECK_THAT(sim::to_string(bad),
             Catch::Contains("replay with LOCKSTEP_REPLAY='lockstep1:random:seed=9'"));
}

TEST_CASE("verdict: destructors may use non-blocking primitives during teardown",
          "[verdict][teardown]") {
  // Regression: a scheduling point in a destructor of a fiber being torn
  // down (a lock_guard's unlock, a WaitGroup's done) killed the process as
  // "blocked in a destructor".
  struct Polite {
    int* count;
    ~Polite() {
      lockstep::yield();
      lockstep::detail::current_runtime()->preemption_point(lockstep::SourceLocation::current());
      ++*count;
    }
  };
  int destroyed = 0;
  auto r = sim::run([&] {
    lockstep::go([&] {
      Polite p{&destroyed};
      block_forever();
    });
    lockstep::yield();
  });
  CHECK(r.verdict == sim::Verdict::leak);
  CHECK(destroyed == 1);
}
