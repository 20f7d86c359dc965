// RWMutex: shared readers, exclusive writers, Go's writer preference and
// reader admission at writer unlock, try_ operations, std::shared_lock, dump
// text, misuse, and teardown of granted waiters. Times are virtual and exact.
#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>

#include "primitives/tests/support.hpp"

using namespace std::chrono_literals;
using lockstep::Chan;
using lockstep::RWMutex;
using lockstep::test::run_both;
using lockstep::test::run_checked;
using lockstep::test::run_sim;
using lockstep::test::Trace;
namespace sim = lockstep::sim;

namespace {
RWMutex g_table;  // a global, created outside any simulation
}  // namespace

TEST_CASE("rwmutex: readers share the lock, a writer waits for all of them", "[rwmutex]") {
  // Proves three readers hold the lock together at 0s, and a writer gets it
  // only when the last one leaves, at 3s.
  Trace trace;
  run_checked([&] {
    RWMutex mu;
    for (int i = 0; i < 3; ++i)
      lockstep::go([&, i] {
        std::shared_lock read(mu);
        trace.add(fmt::format("r{} in", i));
        lockstep::sleep(std::chrono::seconds(i + 1));
      });
    lockstep::sim::wait();
    std::lock_guard write(mu);
    trace.add("writer in");
  });
  CHECK(trace.events == std::vector<std::string>{"r0 in@0s", "r1 in@0s", "r2 in@0s", "writer in@3s"});
}

TEST_CASE("rwmutex: a waiting writer blocks new readers (writer preference)", "[rwmutex][fairness]") {
  // Proves Go's writer preference: r1 reads 0s..5s; w asks at 1s and waits;
  // r2 asks at 2s and, although only a reader holds the lock, waits behind
  // w (try_rlock fails too). w writes 5s..6s, then r2 reads.
  Trace trace;
  run_checked([&] {
    RWMutex mu;
    lockstep::go("r1", [&] {
      mu.rlock();
      trace.add("r1 in");
      lockstep::sleep(5s);
      mu.runlock();
    });
    lockstep::go("w", [&] {
      lockstep::sleep(1s);
      mu.lock();
      trace.add("w in");
      lockstep::sleep(1s);
      mu.unlock();
    });
    lockstep::go("r2", [&] {
      lockstep::sleep(2s);
      CHECK_FALSE(mu.try_rlock());
      mu.rlock();
      trace.add("r2 in");
      mu.runlock();
    });
    lockstep::sleep(10s);
  });
  CHECK(trace.events == std::vector<std::string>{"r1 in@0s", "w in@5s", "r2 in@6s"});
}

TEST_CASE("rwmutex: readers waiting when a writer unlocks go before the next writer",
          "[rwmutex][fairness]") {
  // Proves Go's hand-over at writer unlock: w1 writes 0s..5s while r1 (1s),
  // w2 (2s) and r2 (3s) queue. At 5s both readers are admitted, r2 too
  // though it came after w2; w2 gets the lock when the last reader leaves (7s).
  Trace trace;
  run_checked([&] {
    RWMutex mu;
    auto reader = [&](std::string name, lockstep::Duration arrive, lockstep::Duration hold) {
      lockstep::go(name, [&, name, arrive, hold] {
        lockstep::sleep(arrive);
        mu.rlock();
        trace.add(name + " in");
        lockstep::sleep(hold);
        mu.runlock();
      });
    };
    auto writer = [&](std::string name, lockstep::Duration arrive, lockstep::Duration hold) {
      lockstep::go(name, [&, name, arrive, hold] {
        lockstep::sleep(arrive);
        mu.lock();
        trace.add(name + " in");
        lockstep::sleep(hold);
        mu.unlock();
      });
    };
    writer("w1", 0s, 5s);
    reader("r1", 1s, 1s);
    writer("w2", 2s, 0s);
    reader("r2", 3s, 2s);
    lockstep::sleep(10s);
  });
  CHECK(trace.events == std::vector<std::string>{"w1 in@0s", "r1 in@5s", "r2 in@5s", "w2 in@7s"});
}

TEST_CASE("rwmutex: writers are served in arrival order", "[rwmutex][fifo]") {
  // Proves writers queue FIFO behind a writer: arrivals at 1s, 2s, 3s write
  // in that order from 10s, one second each.
  Trace trace;
  run_checked([&] {
    RWMutex mu;
    mu.lock();
    for (int i = 0; i < 3; ++i)
      lockstep::go([&, i] {
        lockstep::sleep(std::chrono::seconds(i + 1));
        std::lock_guard write(mu);
        trace.add(fmt::format("w{} in", i));
        lockstep::sleep(1s);
      });
    lockstep::sleep(10s);
    mu.unlock();
    lockstep::sleep(5s);
  });
  CHECK(trace.events == std::vector<std::string>{"w0 in@10s", "w1 in@11s", "w2 in@12s"});
}

TEST_CASE("rwmutex: fuzzed schedules never let a writer overlap anyone", "[rwmutex][fuzz]") {
  // Proves exclusion on 30 random schedules: readers and writers yield
  // inside their critical sections, yet a writer is always alone, and
  // several readers do overlap on some schedule.
  int most_readers = 0;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    int readers = 0;
    int writers = 0;
    bool overlap = false;
    auto r = run_sim(
        [&] {
          RWMutex mu;
          for (int f = 0; f < 4; ++f)
            lockstep::go([&, f] {
              for (int i = 0; i < 3; ++i) {
                if (f % 2 == 0) {
                  std::lock_guard write(mu);
                  overlap = overlap || readers > 0 || writers > 0;
                  ++writers;
                  lockstep::yield();
                  --writers;
                } else {
                  std::shared_lock read(mu);
                  overlap = overlap || writers > 0;
                  most_readers = std::max(most_readers, ++readers);
                  lockstep::yield();
                  --readers;
                }
              }
            });
          lockstep::sim::wait();
        },
        lockstep::test::seeded(sim::Strategy::random(), seed));
    INFO("seed " << seed);
    REQUIRE(r.verdict == sim::Verdict::passed);
    CHECK_FALSE(overlap);
  }
  CHECK(most_readers == 2);
}

TEST_CASE("rwmutex: try_lock and try_rlock never block", "[rwmutex][try][both]") {
  // Proves the try_ operations' answers in each state, on both runtimes (in
  // a simulation a block would be a deadlock).
  run_both([] {
    RWMutex mu;
    CHECK(mu.try_rlock());
    CHECK(mu.try_lock_shared());
    CHECK_FALSE(mu.try_lock());  // readers hold it
    mu.runlock();
    mu.unlock_shared();
    CHECK(mu.try_lock());
    CHECK_FALSE(mu.try_rlock());  // a writer holds it
    CHECK_FALSE(mu.try_lock());
    mu.unlock();
  });
}

TEST_CASE("rwmutex: the dump names the wait reasons and the lock's state", "[rwmutex][dump]") {
  // Proves the reasons "sync.RWMutex.Lock" / "sync.RWMutex.RLock" and the
  // object text while read-locked with writers waiting, and while
  // write-locked.
  SECTION("read-locked, writers waiting") {
    auto r = run_sim([] {
      RWMutex mu;
      mu.rlock();
      lockstep::go("writer", [&] { mu.lock(); });
      lockstep::go("reader", [&] { mu.rlock(); });
      lockstep::sim::wait();
      mu.lock();  // main upgrades while reading: deadlock, as in Go
    });
    CHECK(r.verdict == sim::Verdict::deadlock);
    REQUIRE(r.fibers.size() == 3);
    CHECK(r.fibers[0].reason == "sync.RWMutex.Lock");
    CHECK(r.fibers[0].object == "rwmutex #1 read-locked by 1, 2 writers waiting");
    CHECK(r.fibers[1].reason == "sync.RWMutex.Lock");
    CHECK(r.fibers[2].reason == "sync.RWMutex.RLock");
  }
  SECTION("write-locked") {
    auto r = run_sim([] {
      RWMutex mu;
      mu.lock();
      lockstep::go("reader", [&] { mu.rlock(); });
      lockstep::sim::wait();
      Chan<int>().recv();
    });
    CHECK(r.verdict == sim::Verdict::deadlock);
    REQUIRE(r.fibers.size() == 2);
    CHECK(r.fibers[1].reason == "sync.RWMutex.RLock");
    CHECK(r.fibers[1].object == "rwmutex #1 held by fiber 1");
  }
}

TEST_CASE("rwmutex: unlocking what is not held is misuse", "[rwmutex][misuse]") {
  // Proves each wrong release is reported with the lock's state and the site.
  SECTION("unlock when unlocked") {
    auto r = run_sim([] { RWMutex().unlock(); });
    CHECK(r.verdict == sim::Verdict::misuse);
    CHECK_THAT(r.message, Catch::Contains("lockstep: unlock of unlocked RWMutex on rwmutex #1 unlocked "
                                          "(in fiber 1 \"main\", at primitives/tests/rwmutex_test.cpp:"));
  }
  SECTION("unlock while read-locked") {
    auto r = run_sim([] {
      RWMutex mu;
      mu.rlock();
      mu.unlock();
    });
    CHECK(r.verdict == sim::Verdict::misuse);
    CHECK_THAT(r.message, Catch::Contains("unlock of unlocked RWMutex on rwmutex #1 read-locked by 1"));
  }
  SECTION("runlock when unlocked") {
    auto r = run_sim([] { RWMutex().runlock(); });
    CHECK(r.verdict == sim::Verdict::misuse);
    CHECK_THAT(r.message, Catch::Contains("lockstep: runlock of unlocked RWMutex on rwmutex #1 unlocked"));
  }
  SECTION("runlock while write-locked") {
    auto r = run_sim([] {
      RWMutex mu;
      mu.lock();
      mu.runlock();
    });
    CHECK(r.verdict == sim::Verdict::misuse);
    CHECK_THAT(r.message, Catch::Contains("runlock of unlocked RWMutex on rwmutex #1 held by fiber 1"));
  }
}

TEST_CASE("rwmutex: a global serves successive simulations, teardown returns granted locks",
          "[rwmutex][global][teardown]") {
  // Proves waiters granted the lock but torn down before running give it
  // back: main's unlock admits two readers and fails before they run; after
  // the run the global is free, and a second simulation uses it normally.
  auto r = run_sim([] {
    g_table.lock();
    lockstep::go("reader-1", [] { std::shared_lock read(g_table); });
    lockstep::go("reader-2", [] { std::shared_lock read(g_table); });
    lockstep::go("writer", [] { std::lock_guard write(g_table); });
    lockstep::sim::wait();
    g_table.unlock();  // admits both readers; the writer waits for them
    throw std::runtime_error("main fails before the readers run");
  });
  CHECK(r.verdict == sim::Verdict::exception);
  CHECK(g_table.try_lock());
  g_table.unlock();
  run_checked([] {
    lockstep::go([] {
      std::shared_lock read(g_table);
      lockstep::sleep(1s);
    });
    lockstep::sim::wait();
    std::lock_guard write(g_table);
    CHECK(lockstep::Clock::now() == lockstep::kSimulationEpoch + 1s);
  });
}

TEST_CASE("rwmutex: a writer giving up at its deadline lets the readers it blocked in",
          "[rwmutex][context]") {
  // Proves lock(ctx) leaves the writer queue at exactly 2s and, being the
  // only writer, admits r2 (queued behind it at 1s) at once; r2 would
  // otherwise wait for r1 to leave at 5s. Nothing is left queued.
  Trace trace;
  run_checked([&] {
    RWMutex mu;
    lockstep::go("r1", [&] {
      mu.rlock();
      lockstep::sleep(5s);
      mu.runlock();
    });
    lockstep::go("w", [&] {
      auto [ctx, cancel] = lockstep::with_timeout(lockstep::background(), 2s);
      trace.add("w: " + lockstep::error_message(mu.lock(ctx)));
      cancel();
    });
    lockstep::go("r2", [&] {
      lockstep::sleep(1s);
      mu.rlock();
      trace.add("r2 in");
      mu.runlock();
    });
    lockstep::sleep(3s);
    CHECK(mu.describe() == "rwmutex #1 read-locked by 1");
    lockstep::sleep(3s);
    CHECK(mu.describe() == "rwmutex #1 unlocked");
    mu.lock();
    mu.unlock();
  });
  CHECK(trace.events == std::vector<std::string>{"r2 in@2s", "w: context deadline exceeded@2s"});
}

TEST_CASE("rwmutex: a cancelled rlock(ctx) leaves the queue, the writer's unlock admits nobody",
          "[rwmutex][context]") {
  Trace trace;
  run_checked([&] {
    RWMutex mu;
    mu.lock();
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    lockstep::go([&, ctx = ctx] { trace.add(lockstep::error_message(mu.rlock(ctx))); });
    lockstep::sleep(1s);
    cancel();
    lockstep::sleep(1s);
    mu.unlock();
    CHECK(mu.describe() == "rwmutex #1 unlocked");
    CHECK(mu.try_lock());
    mu.unlock();
  });
  CHECK(trace.events == std::vector<std::string>{"context canceled@1s"});
}

TEST_CASE("rwmutex: lock(ctx) and rlock(ctx) granted before the cancel hold the lock",
          "[rwmutex][context]") {
  // Proves a grant wins over a later cancel, for a reader and for a writer.
  Trace trace;
  run_checked([&] {
    RWMutex mu;
    mu.lock();
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    lockstep::go([&, ctx = ctx] {
      trace.add("reader: " + lockstep::error_message(mu.rlock(ctx)));
      lockstep::sleep(1s);
      mu.runlock();
    });
    lockstep::sleep(1s);
    mu.unlock();  // admits the reader
    cancel();
    CHECK(mu.describe() == "rwmutex #1 read-locked by 1");
    lockstep::sleep(1s);  // the reader leaves at 2s
    mu.rlock();
    auto [ctx2, cancel2] = lockstep::with_cancel(lockstep::background());
    lockstep::go([&, ctx2 = ctx2] {
      trace.add("writer: " + lockstep::error_message(mu.lock(ctx2)));
      mu.unlock();
    });
    lockstep::sleep(1s);
    mu.runlock();  // grants the writer...
    cancel2();     // ...which runs only after this cancel
    CHECK(mu.describe() == "rwmutex #1 held by fiber 3");
    lockstep::sim::wait();
    CHECK(mu.describe() == "rwmutex #1 unlocked");
  });
  CHECK(trace.events == std::vector<std::string>{"reader: nil@1s", "writer: nil@3s"});
}

TEST_CASE("rwmutex: lock(ctx) and rlock(ctx) on a done context fail at once", "[rwmutex][context][both]") {
  run_both([] {
    RWMutex mu;
    auto [done, cancel_done] = lockstep::with_cancel(lockstep::background());
    cancel_done();
    CHECK(lockstep::is_canceled(mu.lock(done)));
    CHECK(lockstep::is_canceled(mu.rlock(done)));
    CHECK(mu.describe().ends_with(" unlocked"));  // "#1" in a simulation, "#g<n>" on threads
    CHECK(mu.rlock(lockstep::background()) == nullptr);
    mu.runlock();
    CHECK(mu.lock(lockstep::background()) == nullptr);
    mu.unlock();
  });
}
