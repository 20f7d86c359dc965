// Cond: signal wakes the longest waiter, broadcast wakes all; wait releases
// the mutex while parked and holds it on return; dump text; misuse; and
// teardown of a waiter, with the mutex free or held by another fiber.
#include <algorithm>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "primitives/tests/support.hpp"

using namespace std::chrono_literals;
using lockstep::Chan;
using lockstep::Cond;
using lockstep::Mutex;
using lockstep::test::run_both;
using lockstep::test::run_checked;
using lockstep::test::run_sim;
using lockstep::test::Trace;
namespace sim = lockstep::sim;

namespace {
Mutex g_free_mutex;  // globals, so their state can be checked after teardown
Cond g_free_cond(g_free_mutex);
Mutex g_held_mutex;
Cond g_held_cond(g_held_mutex);
}  // namespace

TEST_CASE("cond: signal wakes the longest waiter, broadcast wakes the rest", "[cond]") {
  // Proves signal() wakes exactly one waiter, the first to arrive (w0 at 1s),
  // and broadcast() all the others (w1, w2 at 2s, in arrival order).
  Trace trace;
  run_checked([&] {
    Mutex mu;
    Cond cv(mu);
    for (int i = 0; i < 3; ++i)
      lockstep::go([&, i] {
        std::lock_guard guard(mu);
        cv.wait();
        trace.add(fmt::format("w{} woke", i));
      });
    lockstep::sim::wait();
    lockstep::sleep(1s);
    cv.signal();
    lockstep::sim::wait();
    lockstep::sleep(1s);
    cv.broadcast();
    lockstep::sim::wait();
  });
  CHECK(trace.events == std::vector<std::string>{"w0 woke@1s", "w1 woke@2s", "w2 woke@2s"});
}

TEST_CASE("cond: woken waiters relock the mutex one at a time", "[cond]") {
  // Proves wait() returns holding the mutex: after a broadcast at 0s, each
  // waiter keeps the mutex for 1s, so they return at 0s, 1s and 2s.
  Trace trace;
  run_checked([&] {
    Mutex mu;
    Cond cv(mu);
    for (int i = 0; i < 3; ++i)
      lockstep::go([&, i] {
        std::lock_guard guard(mu);
        cv.wait();
        trace.add(fmt::format("w{} holds", i));
        lockstep::sleep(1s);
      });
    lockstep::sim::wait();
    cv.broadcast();
    lockstep::sleep(5s);
  });
  CHECK(trace.events == std::vector<std::string>{"w0 holds@0s", "w1 holds@1s", "w2 holds@2s"});
}

TEST_CASE("cond: wait releases the mutex while waiting", "[cond]") {
  // Proves the classic predicate loop: while the consumer waits, the
  // producer can lock the mutex, set the flag and signal; the consumer then
  // sees the flag with the mutex held.
  run_checked([] {
    Mutex mu;
    Cond cv(mu);
    bool ready = false;
    bool seen = false;
    lockstep::go("consumer", [&] {
      std::lock_guard guard(mu);
      while (!ready) cv.wait();
      seen = true;
      CHECK_FALSE(mu.try_lock());
    });
    lockstep::sim::wait();
    CHECK(mu.try_lock());  // released by wait()
    ready = true;
    cv.signal();  // before unlocking: the consumer then waits for the mutex
    mu.unlock();
    lockstep::sim::wait();
    CHECK(seen);
  });
}

TEST_CASE("cond: fuzzed producers and consumers deliver every item once", "[cond][fuzz]") {
  // Proves no lost wake-up on 30 random schedules: two consumers wait in a
  // predicate loop for items from two producers that signal after each push
  // and broadcast at the end; all 10 items are consumed, each once.
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    std::vector<int> consumed;
    auto r = run_sim(
        [&] {
          Mutex mu;
          Cond cv(mu);
          std::vector<int> queue;
          int producing = 2;
          for (int p = 0; p < 2; ++p)
            lockstep::go([&, p] {
              for (int i = 0; i < 5; ++i) {
                {
                  std::lock_guard guard(mu);
                  queue.push_back(p * 10 + i);
                }
                cv.signal();
              }
              std::lock_guard guard(mu);
              if (--producing == 0) cv.broadcast();
            });
          lockstep::WaitGroup consumers;
          for (int c = 0; c < 2; ++c)
            consumers.go([&] {
              std::lock_guard guard(mu);
              for (;;) {
                while (queue.empty() && producing > 0) cv.wait();
                if (queue.empty()) return;
                consumed.push_back(queue.back());
                queue.pop_back();
              }
            });
          consumers.wait();
        },
        lockstep::test::seeded(sim::Strategy::random(), seed));
    INFO("seed " << seed);
    REQUIRE(r.verdict == sim::Verdict::passed);
    std::sort(consumed.begin(), consumed.end());
    CHECK(consumed == std::vector<int>{0, 1, 2, 3, 4, 10, 11, 12, 13, 14});
  }
}

TEST_CASE("cond: signal and broadcast without waiters do nothing", "[cond]") {
  // Proves neither blocks nor is remembered: a later wait() still waits.
  Trace trace;
  run_checked([&] {
    Mutex mu;
    Cond cv(mu);
    cv.signal();
    cv.broadcast();
    lockstep::go([&] {
      std::lock_guard guard(mu);
      cv.wait();
      trace.add("woke");
    });
    lockstep::sleep(1s);
    cv.signal();
    lockstep::sim::wait();
  });
  CHECK(trace.events == std::vector<std::string>{"woke@1s"});
}

TEST_CASE("cond: the dump names the wait reason, the cond and its mutex", "[cond][dump]") {
  // Proves a waiter shows "sync.Cond.Wait" on "cond #2 (mutex #1)", and a
  // signalled waiter that cannot relock shows "sync.Mutex.Lock". The pair is
  // shared (as Go would heap-allocate it) because the waiters' guards still
  // use the mutex while the run tears them down, after main.
  struct Shared {
    Mutex mu;
    Cond cv{mu};
  };
  auto r = run_sim([] {
    auto shared = std::make_shared<Shared>();
    lockstep::go("signalled", [shared] {
      std::lock_guard guard(shared->mu);
      shared->cv.wait();
    });
    lockstep::go("waiting", [shared] {
      std::lock_guard guard(shared->mu);
      shared->cv.wait();
    });
    lockstep::sim::wait();
    shared->mu.lock();
    shared->cv.signal();
    Chan<int>().recv();  // main blocks forever holding the mutex
  });
  CHECK(r.verdict == sim::Verdict::deadlock);
  REQUIRE(r.fibers.size() == 3);
  CHECK(r.fibers[1].name == "signalled");
  CHECK(r.fibers[1].reason == "sync.Mutex.Lock");
  CHECK(r.fibers[1].object == "mutex #1 held by fiber 1");
  CHECK(r.fibers[2].name == "waiting");
  CHECK(r.fibers[2].reason == "sync.Cond.Wait");
  CHECK(r.fibers[2].object == "cond #2 (mutex #1)");
}

TEST_CASE("cond: wait without holding the mutex is misuse", "[cond][misuse]") {
  // Proves the message names the cond, its mutex, the fiber and the site.
  auto r = run_sim([] {
    Mutex mu;
    Cond cv(mu);
    cv.wait();
  });
  CHECK(r.verdict == sim::Verdict::misuse);
  CHECK_THAT(r.message,
             Catch::Contains("lockstep: Cond.wait() without holding its mutex (unlock of unlocked mutex) "
                             "on cond #2 (mutex #1) (in fiber 1 \"main\", at primitives/tests/cond_test.cpp:"));
}

TEST_CASE("cond: a waiter torn down relocks a free mutex for its guard to unlock", "[cond][teardown]") {
  // Proves teardown of a fiber in wait() keeps its std::unique_lock balanced
  // when the mutex is free: no abort, no misuse, and both globals are free
  // for the next simulation.
  auto r = run_sim([] {
    lockstep::go("waiter", [] {
      std::unique_lock lock(g_free_mutex);
      g_free_cond.wait();
    });
    lockstep::sim::wait();
  });
  CHECK(r.verdict == sim::Verdict::leak);
  run_checked([] {
    std::lock_guard guard(g_free_mutex);
    g_free_cond.signal();
  });
}

TEST_CASE("cond: a waiter torn down while another fiber holds the mutex leaves it consistent",
          "[cond][teardown]") {
  // Proves the case where the torn-down waiter cannot relock: "holder" holds
  // the mutex and blocks forever. The waiter's guard unlock is absorbed, the
  // holder's own guard unlocks, and the global mutex ends free.
  auto r = run_sim([] {
    lockstep::go("waiter", [] {
      std::unique_lock lock(g_held_mutex);
      g_held_cond.wait();
    });
    lockstep::sim::wait();
    lockstep::go("holder", [] {
      std::lock_guard guard(g_held_mutex);
      Chan<int>().recv();
    });
    lockstep::sim::wait();
  });
  CHECK(r.verdict == sim::Verdict::leak);
  REQUIRE(r.fibers.size() == 2);
  CHECK(r.fibers[0].reason == "sync.Cond.Wait");
  CHECK(g_held_mutex.try_lock());
  g_held_mutex.unlock();
  CHECK_THROWS_WITH(g_held_mutex.unlock(), Catch::Contains("unlock of unlocked mutex"));
}

TEST_CASE("cond: wait(ctx) gives up at the deadline, holding the mutex again", "[cond][context]") {
  // Proves wait(ctx) returns deadline_exceeded at exactly 2s with the mutex
  // held, and leaves the queue: a later signal() picks the next waiter.
  Trace trace;
  run_checked([&] {
    Mutex mu;
    Cond cond(mu);
    lockstep::go([&] {
      auto [ctx, cancel] = lockstep::with_timeout(lockstep::background(), 2s);
      std::lock_guard guard(mu);
      lockstep::Error err = cond.wait(ctx);
      trace.add("timed: " + lockstep::error_message(err));
      CHECK_FALSE(mu.try_lock());  // held again
      cancel();
    });
    lockstep::go([&] {
      lockstep::sleep(1s);
      std::lock_guard guard(mu);
      cond.wait();
      trace.add("plain signalled");
    });
    lockstep::sleep(3s);
    cond.signal();
    lockstep::sim::wait();
    CHECK(mu.try_lock());
    mu.unlock();
  });
  CHECK(trace.events == std::vector<std::string>{"timed: context deadline exceeded@2s", "plain signalled@3s"});
}

TEST_CASE("cond: a cancelled wait(ctx) waits for the mutex before returning", "[cond][context]") {
  // Proves the relock after a cancel: the context is cancelled at 1s while
  // main holds the mutex until 3s, so wait(ctx) returns only at 3s.
  Trace trace;
  run_checked([&] {
    Mutex mu;
    Cond cond(mu);
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    lockstep::go([&, ctx = ctx] {
      std::lock_guard guard(mu);
      trace.add(lockstep::error_message(cond.wait(ctx)));
    });
    lockstep::sleep(1s);
    mu.lock();
    cancel();
    lockstep::sleep(2s);
    mu.unlock();
    lockstep::sim::wait();
  });
  CHECK(trace.events == std::vector<std::string>{"context canceled@3s"});
}

TEST_CASE("cond: wait(ctx) signalled before the cancel returns null", "[cond][context]") {
  Trace trace;
  run_checked([&] {
    Mutex mu;
    Cond cond(mu);
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    lockstep::go([&, ctx = ctx] {
      std::lock_guard guard(mu);
      trace.add(lockstep::error_message(cond.wait(ctx)));
    });
    lockstep::sleep(1s);
    cond.signal();
    cancel();  // the waiter has not run yet: too late
    lockstep::sim::wait();
  });
  CHECK(trace.events == std::vector<std::string>{"nil@1s"});
}

TEST_CASE("cond: wait(ctx) on a done context returns at once, still holding the mutex",
          "[cond][context][both]") {
  run_both([] {
    Mutex mu;
    Cond cond(mu);
    auto [done, cancel_done] = lockstep::with_cancel(lockstep::background());
    cancel_done();
    mu.lock();
    CHECK(lockstep::is_canceled(cond.wait(done)));
    CHECK_FALSE(mu.try_lock());
    mu.unlock();
  });
}
