// WaitGroup: wait until the counter drops to zero, go() like Go 1.25's
// WaitGroup.Go (site, name, done on return and on throw), reuse, dump text,
// both misuses, use outside a simulation, and a global across simulations.
// Times are virtual and exact.
#include <memory>
#include <stdexcept>

#include "primitives/tests/support.hpp"

using namespace std::chrono_literals;
using lockstep::Chan;
using lockstep::WaitGroup;
using lockstep::test::run_both;
using lockstep::test::run_checked;
using lockstep::test::run_sim;
using lockstep::test::Trace;
namespace sim = lockstep::sim;

namespace {
WaitGroup g_workers;  // a global, created outside any simulation
}  // namespace

TEST_CASE("waitgroup: wait blocks until every done", "[waitgroup]") {
  // Proves wait() returns when the last of three workers (1s, 2s, 3s) is
  // done, and every waiter wakes then, in the order they began waiting.
  Trace trace;
  run_checked([&] {
    WaitGroup wg;
    wg.add(3);
    for (int i = 0; i < 3; ++i)
      lockstep::go([&, i] {
        lockstep::sleep(std::chrono::seconds(i + 1));
        wg.done();
      });
    lockstep::go([&] {
      wg.wait();
      trace.add("other waiter");
    });
    wg.wait();
    trace.add("main");
  });
  CHECK(trace.events == std::vector<std::string>{"main@3s", "other waiter@3s"});
}

TEST_CASE("waitgroup: add(-n) that brings the counter to zero wakes every waiter", "[waitgroup]") {
  // Proves the wake-up does not depend on done(): a dispatcher accounts for
  // two parcels at once with add(-2) at 2s, after one done() at 1s, and both
  // parked waiters wake then, in the order they began waiting.
  Trace trace;
  run_checked([&] {
    WaitGroup wg;
    wg.add(3);
    lockstep::go([&] {
      wg.wait();
      trace.add("other waiter");
    });
    lockstep::go([&] {
      lockstep::sleep(1s);
      wg.done();
    });
    lockstep::go([&] {
      lockstep::sleep(2s);
      CHECK(wg.describe() == "waitgroup #1 count=2");
      wg.add(-2);
    });
    wg.wait();
    trace.add("main");
  });
  CHECK(trace.events == std::vector<std::string>{"main@2s", "other waiter@2s"});
}

TEST_CASE("waitgroup: add(-n) wakes a parked waiter, on both runtimes", "[waitgroup][both]") {
  // The simulation half parks main in wait() before the batch goroutine runs
  // (FIFO), so add(-2) must wake it; on real threads the goroutine usually
  // starts after main has parked.
  run_both([] {
    auto wg = std::make_shared<WaitGroup>();  // the goroutine may still be in add() as main returns
    wg->add(2);
    lockstep::go("batch", [wg] { wg->add(-2); });
    wg->wait();
    CHECK(wg->describe().ends_with("count=0"));
  });
}

TEST_CASE("waitgroup: wait on a zero counter returns at once", "[waitgroup][both]") {
  // Proves no block, inside a simulation (a block would be a deadlock) and
  // on real threads.
  run_both([] {
    WaitGroup wg;
    wg.wait();
    wg.add(2);
    wg.add(-2);
    wg.wait();
    wg.add(1);
    wg.done();
    wg.wait();
  });
}

TEST_CASE("waitgroup: go counts the goroutine and calls done when it returns", "[waitgroup][go]") {
  // Proves go() adds before the goroutine starts (so an immediate wait()
  // waits) and done() runs as each returns: wait ends at 2s with 3 runs.
  run_checked([] {
    WaitGroup wg;
    int ran = 0;
    for (int i = 0; i < 3; ++i)
      wg.go([&ran, i] {
        lockstep::sleep(std::chrono::seconds(i));
        ++ran;
      });
    wg.wait();
    CHECK(ran == 3);
    CHECK(lockstep::Clock::now() == lockstep::kSimulationEpoch + 2s);
  });
}

TEST_CASE("waitgroup: go spawns at the caller's site, with an optional name", "[waitgroup][go][dump]") {
  // Proves the dump shows the group's goroutines spawned where go() was
  // called, the name given, and the waiter on "waitgroup #1 count=2".
  int line = 0;
  auto r = run_sim([&] {
    // The stuck goroutines' done() runs as they are torn down, after main:
    // their closures keep the group alive.
    auto wg = std::make_shared<WaitGroup>();
    line = __LINE__ + 1;
    wg->go("stuck", [wg] { Chan<int>().recv(); });
    wg->go([wg] { Chan<int>().recv(); });
    wg->wait();
  });
  CHECK(r.verdict == sim::Verdict::deadlock);
  REQUIRE(r.fibers.size() == 3);
  CHECK(r.fibers[0].reason == "sync.WaitGroup.Wait");
  CHECK(r.fibers[0].object == "waitgroup #1 count=2");
  CHECK(r.fibers[1].name == "stuck");
  CHECK(r.fibers[1].spawned_at.line() == static_cast<unsigned>(line));
  CHECK(r.fibers[2].name.empty());
  CHECK(r.fibers[2].spawned_at.line() == static_cast<unsigned>(line + 1));
}

TEST_CASE("waitgroup: go calls done even when f throws", "[waitgroup][go]") {
  // Proves done() runs while the exception unwinds: the run ends with the
  // exception verdict, yet the global group's counter is back to zero and
  // the group is free (a later simulation's wait() returns at once).
  auto r = run_sim([] {
    g_workers.go([] { throw std::runtime_error("worker failed"); });
    g_workers.wait();
  });
  CHECK(r.verdict == sim::Verdict::exception);
  CHECK_THAT(r.message, Catch::Contains("worker failed"));
  g_workers.wait();  // outside a simulation: would throw if the counter were not zero
  run_checked([] {
    g_workers.wait();
    g_workers.go([] { lockstep::sleep(1s); });
    g_workers.wait();
    CHECK(lockstep::Clock::now() == lockstep::kSimulationEpoch + 1s);
  });
}

TEST_CASE("waitgroup: a group may be reused once every wait has returned", "[waitgroup]") {
  // Proves add() after the waiters returned from wait() is legal and starts
  // a new round: the second wait ends at 2s.
  run_checked([] {
    WaitGroup wg;
    for (int round = 1; round <= 2; ++round) {
      wg.add(1);
      lockstep::go([&wg] {
        lockstep::sleep(1s);
        wg.done();
      });
      lockstep::go([&wg] { wg.wait(); });
      wg.wait();
      lockstep::sim::wait();  // the other waiter has returned too
    }
    CHECK(lockstep::Clock::now() == lockstep::kSimulationEpoch + 2s);
  });
}

TEST_CASE("waitgroup: misuse is reported as Go panics", "[waitgroup][misuse]") {
  // Proves both misuses name the group, the fiber and the site.
  SECTION("negative counter") {
    auto r = run_sim([] {
      WaitGroup wg;
      wg.add(1);
      wg.done();
      wg.done();
    });
    CHECK(r.verdict == sim::Verdict::misuse);
    CHECK_THAT(r.message, Catch::Contains("lockstep: sync: negative WaitGroup counter on waitgroup #1 count=0 "
                                          "(in fiber 1 \"main\", at primitives/tests/wait_group_test.cpp:"));
  }
  SECTION("add with a wait in progress on a zero counter") {
    auto r = run_sim([] {
      auto wg = std::make_shared<WaitGroup>();  // the waiter outlives main's failure
      wg->add(1);
      lockstep::go("waiter", [wg] { wg->wait(); });
      lockstep::sim::wait();
      wg->done();  // wakes the waiter, which has not returned from wait() yet
      wg->add(1);
    });
    CHECK(r.verdict == sim::Verdict::misuse);
    CHECK_THAT(r.message, Catch::Contains("lockstep: WaitGroup is reused before previous Wait has returned "
                                          "on waitgroup #1 count=0 (in fiber 1 \"main\""));
  }
}

TEST_CASE("waitgroup: wait(ctx) gives up when the context's deadline passes", "[waitgroup][context]") {
  // Proves the waiter returns deadline_exceeded at exactly 2s and the group
  // stays consistent: the count is untouched and a plain wait() still
  // returns when the last done() comes at 5s.
  Trace trace;
  run_checked([&] {
    WaitGroup wg;
    wg.add(1);
    lockstep::go([&] {
      auto [ctx, cancel] = lockstep::with_timeout(lockstep::background(), 2s);
      trace.add(lockstep::error_message(wg.wait(ctx)));
      cancel();
    });
    lockstep::go([&] {
      lockstep::sleep(5s);
      wg.done();
    });
    lockstep::sleep(3s);
    CHECK(wg.describe() == "waitgroup #1 count=1");
    wg.wait();
    trace.add("main");
  });
  CHECK(trace.events == std::vector<std::string>{"context deadline exceeded@2s", "main@5s"});
}

TEST_CASE("waitgroup: a cancelled wait(ctx) does not count as a wait still returning",
          "[waitgroup][context]") {
  // Proves a cancelled waiter leaves no trace: main cancels it, then takes
  // the counter to zero and reuses the group before the waiter has run;
  // that is no "reused before previous Wait has returned" misuse.
  Trace trace;
  run_checked([&] {
    WaitGroup wg;
    wg.add(1);
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    lockstep::go([&, ctx = ctx] { trace.add(lockstep::error_message(wg.wait(ctx))); });
    lockstep::sleep(1s);
    cancel();
    wg.done();
    wg.add(1);
    wg.done();
    wg.wait();
    trace.add("main");
    lockstep::sim::wait();
  });
  CHECK(trace.events == std::vector<std::string>{"main@1s", "context canceled@1s"});
}

TEST_CASE("waitgroup: wait(ctx) woken before the cancel returns null", "[waitgroup][context]") {
  // Proves a wake-up wins over a later cancel: done() wakes the waiter and
  // main cancels before it runs; the cancel does nothing.
  Trace trace;
  run_checked([&] {
    WaitGroup wg;
    wg.add(1);
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    lockstep::go([&, ctx = ctx] { trace.add(lockstep::error_message(wg.wait(ctx))); });
    lockstep::sleep(1s);
    wg.done();
    cancel();
    lockstep::sim::wait();
  });
  CHECK(trace.events == std::vector<std::string>{"nil@1s"});
}

TEST_CASE("waitgroup: wait(ctx) on a done context fails at once, even at zero", "[waitgroup][context][both]") {
  run_both([] {
    WaitGroup wg;
    auto [done, cancel_done] = lockstep::with_cancel(lockstep::background());
    cancel_done();
    CHECK(lockstep::is_canceled(wg.wait(done)));
    CHECK(wg.wait(lockstep::background()) == nullptr);
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    CHECK(wg.wait(ctx) == nullptr);
    cancel();
  });
}

TEST_CASE("waitgroup: a goroutine that throws is shown where it was, not at go()", "[waitgroup][regression]") {
  // Regression: go()'s done() ran as the exception escaped and moved the
  // fiber's last scheduling point to the wg.go line (now no operation in an
  // unwinding destructor moves it: sim/simulation.hpp, note_site).
  int unlock_line = 0;
  auto r = run_sim([&] {
    lockstep::Mutex mu;
    WaitGroup wg;
    wg.go("loader", [&] {
      mu.lock();
      unlock_line = __LINE__ + 1;
      mu.unlock();
      throw std::runtime_error("courier 7 not found");
    });
    wg.wait();
  });
  REQUIRE(r.verdict == lockstep::sim::Verdict::exception);
  REQUIRE(r.fibers.size() == 2);
  CHECK(r.fibers[1].name == "loader");
  CHECK(r.fibers[1].state == lockstep::sim::FiberState::running);
  CHECK(r.fibers[1].site.line() == static_cast<std::uint32_t>(unlock_line));
}
