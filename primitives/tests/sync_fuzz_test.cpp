// The sync primitives' context-aware waits under random schedules (300 seeds
// each, invariants checked: never two holders, units never over the size,
// every item consumed once, everything free at the end), plus the regression
// tests for two bugs a review found: waiters cancelled by one context woke
// newest first, and Semaphore::acquire(ctx, n > size) was misuse instead of
// waiting for the context as x/sync does.
#include <algorithm>
#include <mutex>
#include <shared_mutex>

#include "primitives/tests/support.hpp"

using namespace std::chrono_literals;
using lockstep::Cond;
using lockstep::Mutex;
using lockstep::RWMutex;
using lockstep::Semaphore;
using lockstep::WaitGroup;
using lockstep::test::run_checked;
using lockstep::test::run_sim;
using lockstep::test::Trace;
namespace sim = lockstep::sim;

TEST_CASE("context: mutex waiters sharing one context wake in arrival order on cancel", "[context][mutex][order]") {
  // Three lock(ctx) waiters queue at 1s, 2s, 3s on one context; cancel at 4s.
  // Go's close(done) wakes the blocked goroutines in arrival order; every
  // other lockstep wake-up is FIFO too.
  Trace trace;
  run_checked([&] {
    Mutex mu;
    mu.lock();
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    for (int i = 0; i < 3; ++i)
      lockstep::go([&, i, ctx = ctx] {
        lockstep::sleep(std::chrono::seconds(i + 1));
        (void)mu.lock(ctx);
        trace.add(fmt::format("w{}", i));
      });
    lockstep::sleep(4s);
    cancel();
    lockstep::sim::wait();
    mu.unlock();
  });
  CHECK(trace.events == std::vector<std::string>{"w0@4s", "w1@4s", "w2@4s"});
}

TEST_CASE("context: semaphore waiters sharing one context wake in arrival order on cancel", "[context][semaphore][order]") {
  Trace trace;
  run_checked([&] {
    Semaphore sem(1);
    sem.acquire(1);
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    for (int i = 0; i < 3; ++i)
      lockstep::go([&, i, ctx = ctx] {
        lockstep::sleep(std::chrono::seconds(i + 1));
        (void)sem.acquire(ctx, 1);
        trace.add(fmt::format("w{}", i));
      });
    lockstep::sleep(4s);
    cancel();
    lockstep::sim::wait();
    sem.release(1);
  });
  CHECK(trace.events == std::vector<std::string>{"w0@4s", "w1@4s", "w2@4s"});
}

TEST_CASE("semaphore: acquire(ctx, n > size) waits for the context as x/sync does", "[semaphore][context]") {
  // x/sync: n > size blocks until ctx is done and returns ctx.Err(). The
  // header justifies the Misuse by "without a context that is forever".
  auto r = run_sim([] {
    Semaphore sem(2);
    auto [ctx, cancel] = lockstep::with_timeout(lockstep::background(), 1s);
    CHECK(lockstep::is_deadline_exceeded(sem.acquire(ctx, 3)));
    cancel();
  });
  INFO(sim::to_string(r));
  CHECK(r.verdict == sim::Verdict::passed);
}

namespace {

// Fuzz: mutex lock / lock(ctx) with random timeouts, exclusion and final state.
void fuzz_mutex(std::uint64_t seed) {
  int inside = 0;
  bool overlap = false;
  auto r = run_sim(
      [&] {
        Mutex mu;
        WaitGroup wg;
        for (int f = 0; f < 5; ++f)
          wg.go([&, f] {
            for (int i = 0; i < 4; ++i) {
              bool held = true;
              if ((f + i) % 2 == 0) {
                auto [ctx, cancel] = lockstep::with_timeout(lockstep::background(),
                                                            std::chrono::milliseconds((f * 7 + i * 3) % 5));
                held = mu.lock(ctx) == nullptr;
                cancel();
              } else {
                mu.lock();
              }
              if (!held) continue;
              overlap = overlap || inside > 0;
              ++inside;
              lockstep::yield();
              if (i % 2 == 0) lockstep::sleep(1ms);
              --inside;
              mu.unlock();
            }
          });
        wg.wait();
        CHECK(mu.try_lock());
        mu.unlock();
        CHECK(mu.describe() == fmt::format("mutex #1 unlocked"));
      },
      lockstep::test::seeded(sim::Strategy::random(), seed));
  INFO("seed " << seed << "\n" << sim::to_string(r));
  REQUIRE(r.verdict == sim::Verdict::passed);
  REQUIRE_FALSE(overlap);
}

void fuzz_rwmutex(std::uint64_t seed) {
  int readers = 0, writers = 0;
  bool overlap = false;
  auto r = run_sim(
      [&] {
        RWMutex mu;
        WaitGroup wg;
        for (int f = 0; f < 6; ++f)
          wg.go([&, f] {
            for (int i = 0; i < 4; ++i) {
              bool write = (f % 3) == 0 || ((f + i) % 4 == 0);
              bool use_ctx = (f + i) % 2 == 0;
              bool held = true;
              auto [ctx, cancel] = lockstep::with_timeout(lockstep::background(),
                                                          std::chrono::milliseconds((f * 5 + i * 3) % 4));
              if (write) {
                if (use_ctx) held = mu.lock(ctx) == nullptr; else mu.lock();
              } else {
                if (use_ctx) held = mu.rlock(ctx) == nullptr; else mu.rlock();
              }
              cancel();
              if (!held) continue;
              if (write) {
                overlap = overlap || readers > 0 || writers > 0;
                ++writers;
              } else {
                overlap = overlap || writers > 0;
                ++readers;
              }
              lockstep::yield();
              if (i % 2 == 1) lockstep::sleep(1ms);
              if (write) {
                --writers;
                mu.unlock();
              } else {
                --readers;
                mu.runlock();
              }
            }
          });
        wg.wait();
        CHECK(mu.try_lock());
        mu.unlock();
        CHECK(mu.describe() == "rwmutex #1 unlocked");
      },
      lockstep::test::seeded(sim::Strategy::random(), seed));
  INFO("seed " << seed << "\n" << sim::to_string(r));
  REQUIRE(r.verdict == sim::Verdict::passed);
  REQUIRE_FALSE(overlap);
}

void fuzz_semaphore(std::uint64_t seed) {
  std::int64_t held = 0;
  bool over = false;
  auto r = run_sim(
      [&] {
        Semaphore sem(4);
        WaitGroup wg;
        for (int f = 0; f < 6; ++f)
          wg.go([&, f] {
            for (int i = 0; i < 4; ++i) {
              std::int64_t n = 1 + (f + i) % 4;
              bool got = true;
              if ((f + i) % 2 == 0) {
                auto [ctx, cancel] = lockstep::with_timeout(lockstep::background(),
                                                            std::chrono::milliseconds((f * 3 + i) % 4));
                got = sem.acquire(ctx, n) == nullptr;
                cancel();
              } else {
                sem.acquire(n);
              }
              if (!got) continue;
              held += n;
              over = over || held > 4;
              lockstep::yield();
              if (i % 2 == 0) lockstep::sleep(1ms);
              held -= n;
              sem.release(n);
            }
          });
        wg.wait();
        CHECK(sem.try_acquire(4));
        sem.release(4);
        CHECK(sem.describe() == "semaphore #1 size=4 held=0");
      },
      lockstep::test::seeded(sim::Strategy::random(), seed));
  INFO("seed " << seed << "\n" << sim::to_string(r));
  REQUIRE(r.verdict == sim::Verdict::passed);
  REQUIRE_FALSE(over);
}

void fuzz_cond(std::uint64_t seed) {
  int items = 0, produced = 0, consumed = 0;
  auto r = run_sim(
      [&] {
        Mutex mu;
        Cond cv(mu);
        WaitGroup wg;
        for (int c = 0; c < 3; ++c)
          wg.go([&, c] {
            int got = 0;
            while (got < 4) {
              std::unique_lock lk(mu);
              while (items == 0) {
                auto [ctx, cancel] = lockstep::with_timeout(lockstep::background(),
                                                            std::chrono::milliseconds(1 + (c + got) % 3));
                (void)cv.wait(ctx);
                cancel();
                // always holds the mutex here
              }
              --items;
              ++got;
              ++consumed;
            }
          });
        for (int p = 0; p < 2; ++p)
          wg.go([&, p] {
            for (int i = 0; i < 6; ++i) {
              {
                std::lock_guard g(mu);
                ++items;
                ++produced;
              }
              if ((p + i) % 2) cv.signal(); else cv.broadcast();
              if (i % 2) lockstep::sleep(1ms);
            }
          });
        wg.wait();
        CHECK(mu.try_lock());
        mu.unlock();
      },
      lockstep::test::seeded(sim::Strategy::random(), seed));
  INFO("seed " << seed << "\n" << sim::to_string(r));
  REQUIRE(r.verdict == sim::Verdict::passed);
  REQUIRE(consumed == 12);
  REQUIRE(produced == 12);
}

}  // namespace

TEST_CASE("fuzz: mutex with context cancels keeps its invariants", "[fuzz][mutex][context]") {
  for (std::uint64_t seed = 1; seed <= 300; ++seed) fuzz_mutex(seed);
}
TEST_CASE("fuzz: rwmutex with context cancels keeps its invariants", "[fuzz][rwmutex][context]") {
  for (std::uint64_t seed = 1; seed <= 300; ++seed) fuzz_rwmutex(seed);
}
TEST_CASE("fuzz: semaphore with context cancels keeps its invariants", "[fuzz][semaphore][context]") {
  for (std::uint64_t seed = 1; seed <= 300; ++seed) fuzz_semaphore(seed);
}
TEST_CASE("fuzz: cond with context cancels keeps its invariants", "[fuzz][cond][context]") {
  for (std::uint64_t seed = 1; seed <= 300; ++seed) fuzz_cond(seed);
}
