// Mutex: uncontended use, FIFO hand-off (barging: mutex_barging_test.cpp), unlock from another
// fiber, scheduling points under a fuzzing strategy, dump text, misuse, use
// outside a simulation, a global mutex across simulations and threads, and
// teardown leaving it unlocked. Times are virtual and exact.
#include <algorithm>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "primitives/tests/support.hpp"

using namespace std::chrono_literals;
using lockstep::Chan;
using lockstep::Mutex;
using lockstep::test::run_both;
using lockstep::test::run_checked;
using lockstep::test::run_sim;
using lockstep::test::seeded;
using lockstep::test::Trace;
namespace sim = lockstep::sim;

namespace {

// Globals, like a Go package-level sync.Mutex: created outside any simulation.
Mutex g_successive;
Mutex g_concurrent;
Mutex g_guarded;
Mutex g_handed;

lockstep::Duration since_start() { return lockstep::Clock::now() - lockstep::kSimulationEpoch; }

}  // namespace

TEST_CASE("mutex: lock, try_lock and unlock without contention never block", "[mutex][both]") {
  // Proves the fast paths and that std::lock_guard / std::unique_lock work
  // (BasicLockable + Lockable), on both runtimes (in a simulation a block
  // would be a deadlock).
  run_both([] {
    Mutex mu;
    mu.lock();
    CHECK_FALSE(mu.try_lock());
    mu.unlock();
    CHECK(mu.try_lock());
    mu.unlock();
    {
      std::lock_guard guard(mu);
      CHECK_FALSE(mu.try_lock());
    }
    {
      std::unique_lock lock(mu, std::try_to_lock);
      CHECK(lock.owns_lock());
    }
    Mutex other;
    std::scoped_lock both(mu, other);  // std::lock's try_lock/lock dance
  });
}

TEST_CASE("mutex: unlock hands the lock to the longest waiter", "[mutex][fifo]") {
  // Proves FIFO hand-off: waiters that arrived at 1s, 2s and 3s get the lock
  // in that order, each as its predecessor unlocks; and, under fifo, no
  // barging: right after unlock() the mutex already belongs to the first
  // waiter, so the unlocking fiber's try_lock() fails although that waiter
  // has not run yet (decision 0 of the barging window).
  Trace trace;
  run_checked([&] {
    Mutex mu;
    mu.lock();
    for (int i = 0; i < 3; ++i)
      lockstep::go([&, i] {
        lockstep::sleep(std::chrono::seconds(i + 1));
        mu.lock();
        trace.add(fmt::format("w{} locked", i));
        lockstep::sleep(1s);
        mu.unlock();
      });
    lockstep::sleep(10s);
    mu.unlock();
    CHECK_FALSE(mu.try_lock());
    mu.lock();  // queues behind w1 and w2
    trace.add("main locked");
    mu.unlock();
  });
  CHECK(trace.events ==
        std::vector<std::string>{"w0 locked@10s", "w1 locked@11s", "w2 locked@12s", "main locked@13s"});
}

TEST_CASE("mutex: another fiber may unlock it, as in Go", "[mutex][both]") {
  // Proves a mutex is not tied to the fiber that locked it: a helper unlocks
  // main's lock, which lets main lock it again.
  run_both([] {
    Mutex mu;
    mu.lock();
    lockstep::go([&mu] { mu.unlock(); });
    mu.lock();  // waits until the helper unlocks
    mu.unlock();
  });
}

TEST_CASE("mutex: every operation is a scheduling point that fuzzing explores", "[mutex][fuzz]") {
  // Proves mutual exclusion holds on every fuzzed schedule: fibers yield
  // inside the critical section, yet no update is lost and at most one fiber
  // is ever inside; and the strategy did take decisions at the lock sites.
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    int counter = 0;
    int inside = 0;
    int most_inside = 0;
    auto r = run_sim(
        [&] {
          Mutex mu;
          for (int f = 0; f < 3; ++f)
            lockstep::go([&] {
              for (int i = 0; i < 4; ++i) {
                std::lock_guard guard(mu);
                most_inside = std::max(most_inside, ++inside);
                int seen = counter;
                lockstep::yield();
                counter = seen + 1;
                --inside;
              }
            });
          lockstep::sim::wait();
        },
        seeded(sim::Strategy::random(), seed));
    INFO("seed " << seed);
    REQUIRE(r.verdict == sim::Verdict::passed);
    CHECK(counter == 12);
    CHECK(most_inside == 1);
    CHECK(r.decision_count > 0);
  }
}

TEST_CASE("mutex: the dump names the wait reason and the holder", "[mutex][dump]") {
  // Proves the dump shows "sync.Mutex.Lock" on "mutex #1 held by fiber 1"
  // for every waiter, with the lock() site, including main locking a mutex
  // it already holds (a self-deadlock, as in Go).
  int line = 0;
  auto r = run_sim([&] {
    Mutex mu;
    mu.lock();
    lockstep::go("second", [&] { mu.lock(); });
    lockstep::sim::wait();
    line = __LINE__ + 1;
    mu.lock();
  });
  CHECK(r.verdict == sim::Verdict::deadlock);
  REQUIRE(r.fibers.size() == 2);
  CHECK(r.fibers[0].reason == "sync.Mutex.Lock");
  CHECK(r.fibers[0].object == "mutex #1 held by fiber 1");
  CHECK(r.fibers[0].site.line() == static_cast<unsigned>(line));
  CHECK(r.fibers[1].name == "second");
  CHECK(r.fibers[1].reason == "sync.Mutex.Lock");
  CHECK(r.fibers[1].object == "mutex #1 held by fiber 1");
}

TEST_CASE("mutex: unlock of an unlocked mutex is misuse", "[mutex][misuse]") {
  // Proves the misuse message names the operation, the mutex, the fiber and
  // the site, and ends the run with the misuse verdict.
  auto r = run_sim([] {
    Mutex mu;
    mu.lock();
    mu.unlock();
    mu.unlock();
  });
  CHECK(r.verdict == sim::Verdict::misuse);
  CHECK_THAT(r.message, Catch::Contains("lockstep: unlock of unlocked mutex on mutex #1 unlocked "
                                        "(in fiber 1 \"main\", at primitives/tests/mutex_test.cpp:"));
}


TEST_CASE("mutex: a global mutex serves successive simulations, on any thread", "[mutex][global]") {
  // Proves a mutex created outside any simulation binds to one only while it
  // is locked or waited on: the same contended body passes in two runs on
  // this thread and a third on another thread, each waiting exactly 1s.
  auto body = [] {
    lockstep::go([] {
      g_successive.lock();
      lockstep::sleep(1s);
      g_successive.unlock();
    });
    lockstep::sim::wait();
    g_successive.lock();
    g_successive.unlock();
  };
  auto first = run_sim(body);
  auto second = run_sim(body);
  sim::Report third;
  std::thread other([&] { third = sim::run(body); });
  other.join();
  for (const auto* r : {&first, &second, &third}) {
    INFO(sim::to_string(*r));
    CHECK(r->verdict == sim::Verdict::passed);
    CHECK(r->elapsed() == 1s);
  }
  CHECK(g_successive.try_lock());  // free again, outside any simulation
  g_successive.unlock();
}

TEST_CASE("mutex: two simulations using one global mutex at the same time is misuse",
          "[mutex][global][misuse]") {
  // Proves concurrent use by two runtimes is caught: the first simulation
  // holds the global across a sleep and until the second (on another
  // thread) has tried to lock it; the second ends with the misuse verdict.
  std::promise<void> held;
  std::promise<void> tried;
  std::shared_future<void> tried_done = tried.get_future().share();
  sim::Report first;
  sim::Report second;
  std::thread a([&] {
    first = sim::run([&] {
      g_concurrent.lock();
      held.set_value();
      lockstep::sleep(1s);
      tried_done.wait();  // real time: the other simulation has run by now
      g_concurrent.unlock();
    });
  });
  std::thread b([&] {
    held.get_future().wait();
    second = sim::run([] {
      g_concurrent.lock();
      g_concurrent.unlock();
    });
    tried.set_value();
  });
  a.join();
  b.join();
  CHECK(first.verdict == sim::Verdict::passed);
  CHECK(second.verdict == sim::Verdict::misuse);
  CHECK_THAT(second.message, Catch::Contains("another runtime"));
  CHECK_THAT(second.message, Catch::Matches(".*use of an object that another runtime is using at the "
                                            "same time on mutex #g[0-9]+ held by fiber 1.*"));
  CHECK(g_concurrent.try_lock());  // the first run unlocked it: free again
  g_concurrent.unlock();
}

TEST_CASE("mutex: a fiber torn down holding a lock_guard unlocks it", "[mutex][teardown]") {
  // Proves teardown does not abort on the unlock in a destructor (scheduling
  // points do nothing while a torn-down fiber unwinds) and leaves the global
  // mutex free.
  auto r = run_sim([] {
    lockstep::go("holder", [] {
      std::lock_guard guard(g_guarded);
      Chan<int>().recv();  // blocks forever holding the mutex
    });
    lockstep::sim::wait();
  });
  CHECK(r.verdict == sim::Verdict::leak);
  CHECK(g_guarded.try_lock());
  g_guarded.unlock();
}

TEST_CASE("mutex: a waiter torn down after the lock was handed to it passes it on",
          "[mutex][teardown]") {
  // Proves a lock() that never returns leaves nothing locked: main hands
  // the mutex to "heir" and fails before heir runs; at teardown heir passes
  // it to "next", which passes it on in turn, and the global is free.
  auto r = run_sim([] {
    g_handed.lock();
    lockstep::go("heir", [] { std::lock_guard guard(g_handed); });
    lockstep::go("next", [] { std::lock_guard guard(g_handed); });
    lockstep::sim::wait();
    g_handed.unlock();
    throw std::runtime_error("main fails before heir runs");
  });
  CHECK(r.verdict == sim::Verdict::exception);
  CHECK(g_handed.try_lock());
  g_handed.unlock();
}

TEST_CASE("mutex: a leak report describes a mutex destroyed while a fiber waits on it",
          "[mutex][teardown][dump]") {
  // Proves the waiter outlives the mutex safely: main returns, destroying
  // its local mutex while "waiter" is parked on it; the leak report still
  // names the mutex as it last was, and the waiter unwinds without touching it.
  auto r = run_sim([] {
    Mutex mu;
    mu.lock();
    lockstep::go("waiter", [&mu] { mu.lock(); });
    lockstep::sim::wait();
  });
  CHECK(r.verdict == sim::Verdict::leak);
  REQUIRE(r.fibers.size() == 1);
  CHECK(r.fibers[0].name == "waiter");
  CHECK(r.fibers[0].reason == "sync.Mutex.Lock");
  CHECK(r.fibers[0].object == "mutex #1 held by fiber 1 (destroyed)");
}

TEST_CASE("mutex: a global left locked by an ended simulation is named as such", "[mutex][ownership]") {
  // Before, the message said another runtime was using it "at the same time".
  static lockstep::Mutex left_locked;
  lockstep::test::run_checked([] { left_locked.lock(); });
  auto r = lockstep::test::run_sim([] { left_locked.lock(); });
  CHECK(r.verdict == lockstep::sim::Verdict::misuse);
  CHECK_THAT(r.message, Catch::Contains("use of an object left in use by a simulation that has ended"));
}

TEST_CASE("mutex: lock(ctx) gives up when the context's deadline passes", "[mutex][context]") {
  // Proves the waiter returns deadline_exceeded at exactly 2s, and leaves the
  // queue: main's unlock at 5s then leaves the mutex free (a waiter still
  // queued would have been handed it), and it locks normally after.
  Trace trace;
  run_checked([&] {
    Mutex mu;
    mu.lock();
    lockstep::go([&] {
      auto [ctx, cancel] = lockstep::with_timeout(lockstep::background(), 2s);
      lockstep::Error err = mu.lock(ctx);
      trace.add(lockstep::error_message(err));
      cancel();
    });
    lockstep::sleep(5s);
    CHECK(mu.describe() == "mutex #1 held by fiber 1");
    mu.unlock();
    CHECK(mu.describe() == "mutex #1 unlocked");
    CHECK(mu.try_lock());
    mu.unlock();
    mu.lock();
    mu.unlock();
  });
  CHECK(trace.events == std::vector<std::string>{"context deadline exceeded@2s"});
}

TEST_CASE("mutex: a cancelled waiter leaves the queue, the others keep their order",
          "[mutex][context][fifo]") {
  // Proves cancelling the middle one of three waiters (queued at 1s, 2s, 3s)
  // at 4s wakes it with canceled_error at once, and unlock at 5s hands the
  // mutex to the first, then the third.
  Trace trace;
  run_checked([&] {
    Mutex mu;
    mu.lock();
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    lockstep::go([&] {
      lockstep::sleep(1s);
      mu.lock();
      trace.add("first locked");
      mu.unlock();
    });
    lockstep::go([&, ctx = ctx] {
      lockstep::sleep(2s);
      trace.add(fmt::format("second: {}", lockstep::error_message(mu.lock(ctx))));
    });
    lockstep::go([&] {
      lockstep::sleep(3s);
      mu.lock();
      trace.add("third locked");
      mu.unlock();
    });
    lockstep::sleep(4s);
    cancel();
    lockstep::sleep(1s);
    mu.unlock();
    lockstep::sim::wait();
    CHECK(mu.describe() == "mutex #1 unlocked");
  });
  CHECK(trace.events ==
        std::vector<std::string>{"second: context canceled@4s", "first locked@5s", "third locked@5s"});
}

TEST_CASE("mutex: lock(ctx) handed the mutex before the cancel holds it and returns null",
          "[mutex][context]") {
  // Proves a grant wins over a later cancel: main's unlock() hands the mutex
  // to the waiter, and main cancels before the waiter runs; the cancel
  // finds it no longer queued and does nothing, so lock(ctx) returns null
  // and the waiter holds the mutex until it unlocks it at 2s.
  Trace trace;
  run_checked([&] {
    Mutex mu;
    mu.lock();
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    lockstep::go([&, ctx = ctx] {
      lockstep::Error err = mu.lock(ctx);
      trace.add(lockstep::error_message(err));
      lockstep::sleep(1s);
      mu.unlock();
    });
    lockstep::sleep(1s);
    mu.unlock();
    cancel();
    CHECK_FALSE(mu.try_lock());  // the waiter holds it
    mu.lock();
    trace.add("main locked");
    mu.unlock();
  });
  CHECK(trace.events == std::vector<std::string>{"nil@1s", "main locked@2s"});
}

TEST_CASE("mutex: lock(ctx) on a done context fails at once, a live one locks", "[mutex][context]") {
  // Proves a context already done returns its error without locking, even a
  // free mutex; background() and a live context lock as lock() does.
  run_checked([] {
    Mutex mu;
    auto [done, cancel_done] = lockstep::with_cancel(lockstep::background());
    cancel_done();
    CHECK(lockstep::is_canceled(mu.lock(done)));
    CHECK(mu.describe() == "mutex #1 unlocked");
    CHECK(mu.lock(lockstep::background()) == nullptr);
    CHECK_FALSE(mu.try_lock());
    mu.unlock();
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    CHECK(mu.lock(ctx) == nullptr);
    cancel();  // after the lock: changes nothing
    CHECK_FALSE(mu.try_lock());
    mu.unlock();
    CHECK(since_start() == 0s);
  });
}

TEST_CASE("mutex: a lock(ctx) waiter on a destroyed mutex ignores the cancel", "[mutex][context][teardown]") {
  // Proves the cancel hook does not touch a mutex destroyed while the waiter
  // is parked on it (run under ASan): the waiter stays parked on the
  // destroyed mutex and the run ends as a leak naming it.
  auto r = run_sim([] {
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    {
      Mutex mu;
      mu.lock();
      lockstep::go("waiter", [&mu, ctx = ctx] { (void)mu.lock(ctx); });
      lockstep::sim::wait();
    }
    cancel();
    lockstep::sim::wait();
  });
  CHECK(r.verdict == sim::Verdict::leak);
  REQUIRE(r.fibers.size() == 1);
  CHECK(r.fibers[0].reason == "sync.Mutex.Lock");
  CHECK(r.fibers[0].object == "mutex #2 held by fiber 1 (destroyed)");  // #1: the context
}

TEST_CASE("mutex: an unlock in a destructor as an exception escapes keeps the fiber's site in the dump",
          "[mutex][regression]") {
  // Proves the unwinding rule at the seam: the guard's unlock() in its
  // destructor is a scheduling point, but must not become the fiber's last
  // site while the exception escapes.
  int lock_line = 0;
  auto r = lockstep::test::run_sim([&] {
    Mutex mu;
    lockstep::go("loader", [&] {
      struct Release {
        Mutex& m;
        ~Release() { m.unlock(); }
      };
      lock_line = __LINE__ + 1;
      mu.lock();
      Release release{mu};
      throw std::runtime_error("parcel 9 not found");
    });
    lockstep::sleep(1s);
  });
  REQUIRE(r.verdict == lockstep::sim::Verdict::exception);
  REQUIRE(r.fibers.size() == 2);
  CHECK(r.fibers[1].name == "loader");
  CHECK(r.fibers[1].site.line() == static_cast<std::uint32_t>(lock_line));
  CHECK(std::string(r.fibers[1].site.file_name()) == "primitives/tests/mutex_test.cpp");
}
