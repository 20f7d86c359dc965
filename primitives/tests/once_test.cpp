// Once and once_value: f runs once and callers that come meanwhile wait for
// it; a throwing f counts as done; once_value returns one value or rethrows
// one exception; a global Once across simulations; teardown mid-f; dump
// text; recursive-call misuse. Times are virtual and exact.
#include <memory>
#include <stdexcept>
#include <string>

#include "primitives/tests/support.hpp"

using namespace std::chrono_literals;
using lockstep::Chan;
using lockstep::Once;
using lockstep::test::run_both;
using lockstep::test::run_checked;
using lockstep::test::run_sim;
using lockstep::test::Trace;
namespace sim = lockstep::sim;

namespace {
Once g_zone_once;  // like a service's zoneOnce: a global
int g_zone_loads = 0;
Once g_interrupted_once;
int g_interrupted_runs = 0;
}  // namespace

TEST_CASE("once: the first caller runs f, callers meanwhile wait until it has finished", "[once]") {
  // Proves f runs once; "second" (at 1s) waits for the running f and
  // returns when it finishes (2s), after it, not before; a later caller
  // (5s) returns at once.
  Trace trace;
  int runs = 0;
  run_checked([&] {
    Once once;
    lockstep::go("first", [&] {
      once.call([&] {
        ++runs;
        lockstep::sleep(2s);
        trace.add("f done");
      });
      trace.add("first returned");
    });
    lockstep::go("second", [&] {
      lockstep::sleep(1s);
      once.call([&] { ++runs; });
      trace.add("second returned");
    });
    lockstep::sleep(5s);
    once.call([&] { ++runs; });
    trace.add("late returned");
    CHECK(once.done());
  });
  CHECK(runs == 1);
  CHECK(trace.events ==
        std::vector<std::string>{"f done@2s", "first returned@2s", "second returned@2s", "late returned@5s"});
}

TEST_CASE("once: the dump names the Once and the fiber running f", "[once][dump]") {
  // Proves callers waiting for a running f show "sync.Once.Do" on
  // "once #1 running in fiber 2".
  auto r = run_sim([] {
    auto once = std::make_shared<Once>();  // the waiters outlive main at teardown
    lockstep::go("runner", [once] { once->call([] { Chan<int>().recv(); }); });
    lockstep::go("waiter", [once] { once->call([] {}); });
    lockstep::sim::wait();
    once->call([] {});
  });
  CHECK(r.verdict == sim::Verdict::deadlock);
  REQUIRE(r.fibers.size() == 3);
  CHECK(r.fibers[0].reason == "sync.Once.Do");
  CHECK(r.fibers[0].object == "once #1 running in fiber 2");
  CHECK(r.fibers[1].reason == "chan receive (nil chan)");
  CHECK(r.fibers[2].reason == "sync.Once.Do");
  CHECK(r.fibers[2].object == "once #1 running in fiber 2");
}

TEST_CASE("once: a throwing f counts as done, only its caller sees the exception", "[once][throw]") {
  // Proves Go's rule for a panicking f: the exception reaches the first
  // caller only; the caller that waited returns normally; f never runs
  // again.
  int runs = 0;
  std::string first_error;
  bool second_returned = false;
  run_checked([&] {
    Once once;
    lockstep::go("first", [&] {
      try {
        once.call([&] {
          ++runs;
          lockstep::sleep(1s);
          throw std::runtime_error("init failed");
        });
      } catch (const std::runtime_error& e) {
        first_error = e.what();
      }
    });
    lockstep::go("second", [&] {
      once.call([&] { ++runs; });
      second_returned = true;
    });
    lockstep::sleep(2s);
    CHECK(once.done());
    once.call([&] { ++runs; });
  });
  CHECK(runs == 1);
  CHECK(first_error == "init failed");
  CHECK(second_returned);
}

TEST_CASE("once: once_value runs f once and returns the same value to every caller", "[once][value]") {
  // Proves one run of f for concurrent and later callers, each getting a
  // reference to the one stored value.
  int runs = 0;
  run_checked([&] {
    auto config = lockstep::once_value([&] {
      ++runs;
      lockstep::sleep(1s);
      return std::string("zones=3");
    });
    const std::string* seen[3] = {};
    for (int i = 0; i < 3; ++i) lockstep::go([&, i, config] { seen[i] = &config(); });
    lockstep::sim::wait();
    lockstep::sleep(2s);
    CHECK(config() == "zones=3");
    for (const std::string* s : seen) CHECK(s == &config());
  });
  CHECK(runs == 1);
}

TEST_CASE("once: once_value rethrows the same exception on every call", "[once][value][throw][both]") {
  // Proves Go's OnceValue re-panic: f runs once, and each call throws the
  // very exception object f threw.
  run_both([] {
    int runs = 0;
    auto load = lockstep::once_value([&]() -> int {
      ++runs;
      throw std::runtime_error("no zones");
    });
    const std::exception* first = nullptr;
    try {
      load();
    } catch (const std::runtime_error& e) {
      first = &e;
    }
    REQUIRE(first != nullptr);
    try {
      load();
      FAIL("load() returned");
    } catch (const std::runtime_error& e) {
      CHECK(&e == first);
      CHECK(std::string(e.what()) == "no zones");
    }
    CHECK(runs == 1);
  });
}

TEST_CASE("once: a global Once runs f in the first simulation only", "[once][global]") {
  // Proves the zoneOnce pattern: a global Once binds to the first
  // simulation while f runs there (three callers, f takes 1s) and is done
  // for good; the second simulation's callers return at once.
  auto body = [] {
    lockstep::WaitGroup wg;
    for (int i = 0; i < 3; ++i)
      wg.go([] {
        g_zone_once.call([] {
          lockstep::sleep(1s);
          ++g_zone_loads;
        });
      });
    wg.wait();
  };
  auto first = run_sim(body);
  auto second = run_sim(body);
  CHECK(first.verdict == sim::Verdict::passed);
  CHECK(first.elapsed() == 1s);
  CHECK(second.verdict == sim::Verdict::passed);
  CHECK(second.elapsed() == 0s);
  CHECK(g_zone_loads == 1);
}

TEST_CASE("once: a simulation torn down while f runs does not mark it done", "[once][teardown]") {
  // Proves teardown in the middle of f leaves the global Once not done and
  // free: the next simulation runs f again, to completion.
  auto stuck = run_sim([] {
    g_interrupted_once.call([] {
      ++g_interrupted_runs;
      Chan<int>().recv();
    });
  });
  CHECK(stuck.verdict == sim::Verdict::deadlock);
  CHECK_FALSE(g_interrupted_once.done());
  run_checked([] { g_interrupted_once.call([] { ++g_interrupted_runs; }); });
  CHECK(g_interrupted_once.done());
  CHECK(g_interrupted_runs == 2);
}

TEST_CASE("once: calling the same Once from inside f is misuse", "[once][misuse]") {
  // Proves the recursive call, a deadlock in Go, is reported at once with
  // the Once, the fiber and the site.
  auto r = run_sim([] {
    Once once;
    once.call([&] { once.call([] {}); });
  });
  CHECK(r.verdict == sim::Verdict::misuse);
  CHECK_THAT(r.message, Catch::Contains("lockstep: Once.call() from inside its own function (a deadlock in Go) "
                                        "on once #1 running in fiber 1 (in fiber 1 \"main\", at "
                                        "primitives/tests/once_test.cpp:"));
}
