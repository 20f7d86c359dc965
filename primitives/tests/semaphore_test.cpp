// Semaphore: weighted acquire and release, strict FIFO with a large head
// waiter, try_acquire, dump text, misuse, teardown of a head waiter and of a
// granted one, and a global across simulations. Times are virtual and exact.
#include <algorithm>
#include <memory>
#include <stdexcept>

#include "primitives/tests/support.hpp"

using namespace std::chrono_literals;
using lockstep::Semaphore;
using lockstep::test::run_both;
using lockstep::test::run_checked;
using lockstep::test::run_sim;
using lockstep::test::Trace;
namespace sim = lockstep::sim;

namespace {
Semaphore g_budget(2);  // a global, created outside any simulation
}  // namespace

TEST_CASE("semaphore: acquire within the size never blocks, try_acquire never blocks",
          "[semaphore][both]") {
  // Proves the fast paths and try_acquire's answers, on both runtimes (in a
  // simulation a block would be a deadlock).
  run_both([] {
    Semaphore sem(3);
    CHECK(sem.size() == 3);
    sem.acquire(2);
    CHECK(sem.try_acquire());
    CHECK_FALSE(sem.try_acquire());
    CHECK_FALSE(sem.try_acquire(4));  // more than the size: false, not misuse
    sem.release(3);
    CHECK(sem.try_acquire(3));
    sem.release(3);
    sem.acquire(0);
  });
}

TEST_CASE("semaphore: a large waiter at the head blocks later small ones", "[semaphore][fifo]") {
  // Proves x/sync's strict FIFO: with 3 of 4 units held, "large" (3 units,
  // at 1s) waits; "small" (1 unit, at 2s) waits behind it although 1 unit is
  // free, and try_acquire(1) fails too. When 3 units come back at 5s, both
  // fit and are served in order.
  Trace trace;
  run_checked([&] {
    Semaphore sem(4);
    sem.acquire(3);
    lockstep::go("large", [&] {
      lockstep::sleep(1s);
      sem.acquire(3);
      trace.add("large got 3");
      lockstep::sleep(1s);
      sem.release(3);
    });
    lockstep::go("small", [&] {
      lockstep::sleep(2s);
      sem.acquire(1);
      trace.add("small got 1");
      sem.release(1);
    });
    lockstep::sleep(3s);
    CHECK_FALSE(sem.try_acquire(1));
    lockstep::sleep(2s);
    sem.release(3);
    lockstep::sleep(5s);
  });
  CHECK(trace.events == std::vector<std::string>{"large got 3@5s", "small got 1@5s"});
}

TEST_CASE("semaphore: release wakes waiters in arrival order while they fit", "[semaphore][fifo]") {
  // Proves release() grants as many head waiters as fit and stops at the
  // first that does not: of waiters for 1, 1 and 2 units, a release of 2
  // serves the first two (at 1s); the third gets in when they give back (2s).
  Trace trace;
  run_checked([&] {
    Semaphore sem(2);
    sem.acquire(2);
    for (std::int64_t n : {1, 1, 2})
      lockstep::go([&, n] {
        sem.acquire(n);
        trace.add(fmt::format("got {}", n));
        lockstep::sleep(1s);
        sem.release(n);
      });
    lockstep::sim::wait();
    lockstep::sleep(1s);
    sem.release(2);
    lockstep::sleep(5s);
  });
  CHECK(trace.events == std::vector<std::string>{"got 1@1s", "got 1@1s", "got 2@2s"});
}

TEST_CASE("semaphore: fuzzed schedules never hold more than the size", "[semaphore][fuzz]") {
  // Proves the units in use never exceed the size on 30 random schedules of
  // workers taking 1, 2 or 3 of 4 units and yielding while they hold them.
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    std::int64_t in_use = 0;
    std::int64_t most = 0;
    auto r = run_sim(
        [&] {
          Semaphore sem(4);
          for (std::int64_t n : {1, 2, 3, 1, 2})
            lockstep::go([&, n] {
              for (int i = 0; i < 3; ++i) {
                sem.acquire(n);
                in_use += n;
                most = std::max(most, in_use);
                lockstep::yield();
                in_use -= n;
                sem.release(n);
              }
            });
          lockstep::sim::wait();
        },
        lockstep::test::seeded(sim::Strategy::random(), seed));
    INFO("seed " << seed);
    REQUIRE(r.verdict == sim::Verdict::passed);
    CHECK(most <= 4);
  }
}

TEST_CASE("semaphore: the dump names the wait reason and the units held", "[semaphore][dump]") {
  // Proves a waiter shows "semaphore acquire" on "semaphore #1 size=4 held=3".
  auto r = run_sim([] {
    auto sem = std::make_shared<Semaphore>(4);  // the waiter outlives main at teardown
    sem->acquire(3);
    lockstep::go("waiter", [sem] { sem->acquire(2); });
    lockstep::sim::wait();
    sem->acquire(2);
  });
  CHECK(r.verdict == sim::Verdict::deadlock);
  REQUIRE(r.fibers.size() == 2);
  CHECK(r.fibers[0].reason == "semaphore acquire");
  CHECK(r.fibers[0].object == "semaphore #1 size=4 held=3");
  CHECK(r.fibers[1].reason == "semaphore acquire");
}

TEST_CASE("semaphore: misuse names the semaphore, the fiber and the site", "[semaphore][misuse]") {
  // Proves each misuse message; the acquire beyond the size is misuse at
  // once instead of blocking forever as in x/sync.
  SECTION("release more than held") {
    auto r = run_sim([] {
      Semaphore sem(2);
      sem.acquire(1);
      sem.release(2);
    });
    CHECK(r.verdict == sim::Verdict::misuse);
    CHECK_THAT(r.message, Catch::Contains("lockstep: semaphore: released more than held on semaphore #1 size=2 "
                                          "held=1 (in fiber 1 \"main\", at primitives/tests/semaphore_test.cpp:"));
  }
  SECTION("acquire more than the size") {
    auto r = run_sim([] { Semaphore(4).acquire(5); });
    CHECK(r.verdict == sim::Verdict::misuse);
    CHECK_THAT(r.message, Catch::Contains("lockstep: semaphore: acquire of 5 exceeds size 4 on semaphore #1"));
  }
  SECTION("negative weight") {
    auto r = run_sim([] { Semaphore(4).release(-1); });
    CHECK(r.verdict == sim::Verdict::misuse);
    CHECK_THAT(r.message, Catch::Contains("semaphore: negative weight -1"));
  }
}


TEST_CASE("semaphore: torn-down waiters leave the queue and give back what they were granted",
          "[semaphore][teardown][global]") {
  // Proves teardown leaves the global semaphore whole: main's release
  // grants both units to "head" (2 units) and fails before head runs; at
  // teardown head gives them back, which grants "small" its unit, which it
  // gives back in turn. A second simulation then uses all 2 units.
  auto r = run_sim([] {
    g_budget.acquire(2);
    lockstep::go("head", [] { g_budget.acquire(2); });
    lockstep::go("small", [] { g_budget.acquire(1); });
    lockstep::sim::wait();
    g_budget.release(2);
    throw std::runtime_error("main fails before head runs");
  });
  CHECK(r.verdict == sim::Verdict::exception);
  CHECK(g_budget.try_acquire(2));
  g_budget.release(2);
  SECTION("a queued head waiter torn down lets the one behind it in") {
    // "head" (2 units) queues behind "holder" (1 unit, held until teardown
    // by a guard); "small" (1 unit) queues behind head. Teardown unlinks head
    // first, which grants small the free unit; then the holder's guard and
    // small give theirs back.
    struct Units {
      std::int64_t n;
      ~Units() { g_budget.release(n); }
    };
    auto leak = run_sim([] {
      lockstep::go("head", [] {
        lockstep::sleep(1s);
        g_budget.acquire(2);
      });
      lockstep::go("holder", [] {
        g_budget.acquire(1);
        Units held{1};
        lockstep::Chan<int>().recv();
      });
      lockstep::go("small", [] {
        lockstep::sleep(2s);
        g_budget.acquire(1);
      });
      lockstep::sleep(3s);
    });
    CHECK(leak.verdict == sim::Verdict::leak);
    REQUIRE(leak.fibers.size() == 3);
    CHECK(leak.fibers[0].name == "head");
    CHECK_THAT(leak.fibers[0].object, Catch::Matches("semaphore #g[0-9]+ size=2 held=1"));
    CHECK(leak.fibers[2].reason == "semaphore acquire");
    CHECK(g_budget.try_acquire(2));
    g_budget.release(2);
  }
  run_checked([] {
    g_budget.acquire(2);
    g_budget.release(2);
  });
}

TEST_CASE("semaphore: acquire(ctx) gives up when the context's deadline passes",
          "[semaphore][context]") {
  lockstep::test::Trace trace;
  lockstep::test::run_checked([&] {
    lockstep::Semaphore sem(1);
    sem.acquire(1);
    lockstep::go([&] {
      auto [ctx, cancel] = lockstep::with_timeout(lockstep::background(), 2s);
      lockstep::Error err = sem.acquire(ctx, 1);
      trace.add(lockstep::error_message(err));
      cancel();
    });
    lockstep::sleep(5s);
    CHECK(sem.describe() == "semaphore #1 size=1 held=1");  // nothing left queued
    sem.release(1);
  });
  CHECK(trace.events == std::vector<std::string>{"context deadline exceeded@2s"});
}

TEST_CASE("semaphore: a cancelled head waiter lets the smaller ones behind it in",
          "[semaphore][context]") {
  lockstep::test::Trace trace;
  lockstep::test::run_checked([&] {
    lockstep::Semaphore sem(4);
    sem.acquire(3);
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    lockstep::go([&, ctx = ctx] {  // the head: wants all 4
      trace.add(lockstep::error_message(sem.acquire(ctx, 4)));
    });
    lockstep::go([&] {  // behind it: 1 would fit, but FIFO keeps it waiting
      sem.acquire(1);
      trace.add("small acquired");
      sem.release(1);
    });
    lockstep::sleep(1s);
    cancel();
    lockstep::sim::wait();
    sem.release(3);
  });
  // Both at 1s; the waiters let in wake before the cancelled one (queued earlier).
  CHECK(trace.events == std::vector<std::string>{"small acquired@1s", "context canceled@1s"});
}

TEST_CASE("semaphore: acquire(ctx) on a done context fails at once, granted stays granted",
          "[semaphore][context]") {
  lockstep::test::run_checked([] {
    lockstep::Semaphore sem(2);
    auto [done, cancel_done] = lockstep::with_cancel(lockstep::background());
    cancel_done();
    CHECK(lockstep::is_canceled(sem.acquire(done, 1)));  // even though units are free
    CHECK(sem.try_acquire(2));
    sem.release(2);
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    CHECK(sem.acquire(ctx, 2) == nullptr);
    cancel();  // after the grant: changes nothing
    CHECK_FALSE(sem.try_acquire(1));
    sem.release(2);
  });
}
