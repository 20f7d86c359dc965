// Context after_func (Go 1.21's context.AfterFunc): f runs in a goroutine of
// its own at the exact virtual instant its context is done (cancel or
// deadline), at once if it already is, never on a context that cannot be
// cancelled; stop() wins or loses against the start exactly once and never
// waits for f. Traces record "<event>@<virtual time>".
#include <string>
#include <vector>

#include "primitives/tests/support.hpp"

using namespace std::chrono_literals;
using lockstep::Chan;
using lockstep::test::run_both;
using lockstep::test::run_checked;
using lockstep::test::run_sim;
using lockstep::test::Trace;
namespace sim = lockstep::sim;

TEST_CASE("context: after_func: f runs in its own goroutine when the context is cancelled",
          "[context][after_func]") {
  // f runs after cancel() returns, on its own fiber: main is still running
  // when cancel() returns, and f's trace comes once main blocks.
  Trace trace;
  run_checked([&] {
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    auto stop = lockstep::after_func(ctx, [&] { trace.add("f"); });
    lockstep::sleep(2s);
    cancel();
    trace.add("cancelled");
    lockstep::sim::wait();
    CHECK(stop() == false);  // f has started
  });
  CHECK(trace.events == std::vector<std::string>{"cancelled@2s", "f@2s"});
}

TEST_CASE("context: after_func: f runs at exactly the deadline", "[context][after_func][deadline]") {
  Trace trace;
  run_checked([&] {
    auto [ctx, cancel] = lockstep::with_timeout(lockstep::background(), 5s);
    auto stop = lockstep::after_func(ctx, [&] { trace.add("f"); });
    lockstep::sleep(1h);
    CHECK(stop() == false);
    cancel();
  });
  CHECK(trace.events == std::vector<std::string>{"f@5s"});
}

TEST_CASE("context: after_func on a done context starts f at once", "[context][after_func]") {
  Trace trace;
  run_checked([&] {
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    lockstep::sleep(1s);
    cancel();
    auto stop = lockstep::after_func(ctx, [&] { trace.add("f"); });
    CHECK(stop() == false);  // already started: stop cannot prevent it
    lockstep::sim::wait();
  });
  CHECK(trace.events == std::vector<std::string>{"f@1s"});
}

TEST_CASE("context: after_func: stop before the cancel prevents f, once", "[context][after_func]") {
  Trace trace;
  run_checked([&] {
    auto [ctx, cancel] = lockstep::with_timeout(lockstep::background(), 3s);
    auto stop = lockstep::after_func(ctx, [&] { trace.add("f"); });
    lockstep::sleep(1s);
    CHECK(stop() == true);
    CHECK(stop() == false);  // already stopped
    auto copy = stop;
    CHECK(copy() == false);  // copies stop the same registration
    lockstep::sleep(1h);
    CHECK(lockstep::is_deadline_exceeded(ctx.err()));
    cancel();
  });
  CHECK(trace.events.empty());
}

TEST_CASE("context: after_funcs on one context run independently", "[context][after_func]") {
  // Three registrations; the middle one is stopped. The other two run, each
  // in its own goroutine: the first blocks and the second still runs.
  Trace trace;
  run_checked([&] {
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    Chan<int> never(0);
    auto stop_a = lockstep::after_func(ctx, [&, never] {
      trace.add("a");
      lockstep::select(lockstep::on_recv(never), lockstep::on_recv(lockstep::after(1s)));
      trace.add("a woke");
    });
    auto stop_b = lockstep::after_func(ctx, [&] { trace.add("b"); });
    auto stop_c = lockstep::after_func(ctx, [&] { trace.add("c"); });
    CHECK(stop_b() == true);
    lockstep::sleep(4s);
    cancel();
    lockstep::sleep(2s);
    CHECK(stop_a() == false);
    CHECK(stop_c() == false);
  });
  CHECK(trace.events == std::vector<std::string>{"a@4s", "c@4s", "a woke@5s"});
}

TEST_CASE("context: after_func: stop does not wait for a running f", "[context][after_func]") {
  Trace trace;
  run_checked([&] {
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    Chan<int> release(0);
    auto stop = lockstep::after_func(ctx, [&, release] {
      trace.add("f blocks");
      release.recv();
      trace.add("f done");
    });
    cancel();
    lockstep::sim::wait();  // f is blocked in its receive
    CHECK(stop() == false);
    trace.add("stop returned");
    lockstep::sleep(1s);
    release.send(1);
    lockstep::sim::wait();
  });
  CHECK(trace.events == std::vector<std::string>{"f blocks@0s", "stop returned@0s", "f done@1s"});
}

TEST_CASE("context: after_func on a context that is never cancelled never runs f", "[context][after_func][both]") {
  // background() and without_cancel() are never done: f never runs, and the
  // first stop() reports that it prevented it, as in Go.
  run_both([] {
    auto [parent, cancel] = lockstep::with_cancel(lockstep::background());
    bool ran = false;
    auto stop_bg = lockstep::after_func(lockstep::background(), [&] { ran = true; });
    auto stop_detached = lockstep::after_func(lockstep::without_cancel(parent), [&] { ran = true; });
    cancel();
    CHECK(stop_bg() == true);
    CHECK(stop_bg() == false);
    CHECK(stop_detached() == true);
    CHECK_FALSE(ran);
  });
}

TEST_CASE("context: after_func: cancel starts f, stop races lose or win exactly once",
          "[context][after_func][both]") {
  // On both runtimes: f reports through a channel once its context is
  // cancelled; a stopped registration on the same context never reports.
  run_both([] {
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    Chan<std::string> ran(2);
    auto stop_kept = lockstep::after_func(ctx, [ran] { ran.send("kept"); });
    auto stop_stopped = lockstep::after_func(ctx, [ran] { ran.send("stopped"); });
    CHECK(stop_stopped() == true);
    cancel();
    CHECK(ran.recv() == "kept");
    CHECK(stop_kept() == false);
    auto stop_late = lockstep::after_func(ctx, [ran] { ran.send("late"); });
    CHECK(ran.recv() == "late");
    CHECK(stop_late() == false);
    CHECK(ran.try_recv().status == lockstep::ChanStatus::would_block);
  });
}

TEST_CASE("context: after_func of an empty function is misuse", "[context][after_func][misuse]") {
  // The message names the fiber and the call site.
  int run_line = __LINE__ + 1, call_line = 0;
  auto r = run_sim([&] {
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    call_line = __LINE__ + 1;
    (void)lockstep::after_func(ctx, lockstep::detail::UniqueFunction<void()>{});
  });
  CHECK(r.verdict == sim::Verdict::misuse);
  auto here = [](int line) { return fmt::format("primitives/tests/context_after_func_test.cpp:{}", line); };
  CHECK(r.message == "misuse in fiber 1 \"main\" (spawned at " + here(run_line) +
                         "): lockstep: context after_func of an empty function (in fiber 1 \"main\", at " +
                         here(call_line) + ")");
}

TEST_CASE("context: a pending after_func is freed with its context", "[context][after_func]") {
  // The context owns the registration: dropping the context (never
  // cancelled) and the stop function frees f and what it captured.
  std::weak_ptr<int> alive;
  run_checked([&] {
    auto payload = std::make_shared<int>(1);
    alive = payload;
    {
      auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
      auto stop = lockstep::after_func(ctx, [payload] { (void)payload; });
      payload.reset();
      CHECK_FALSE(alive.expired());
    }
    CHECK(alive.expired());
  });
}

TEST_CASE("context: after_func started by a deadline, on both runtimes", "[context][after_func][deadline][both]") {
  // A timeout <= 0 expires at once: f is started by the deadline timer (or
  // at once, if that already fired) and reports through a channel; no
  // waiting in real time.
  run_both([] {
    auto [ctx, cancel] = lockstep::with_timeout(lockstep::background(), 0s);
    Chan<std::string> ran(1);
    auto stop = lockstep::after_func(ctx, [ran, ctx = ctx] { ran.send(lockstep::error_message(ctx.err())); });
    CHECK(ran.recv() == "context deadline exceeded");
    CHECK(stop() == false);
    cancel();
  });
}

TEST_CASE("context: after_func: stop and a concurrent cancel decide each registration once",
          "[context][after_func][both]") {
  // 200 registrations; a goroutine cancels while main stops them one by one.
  // Every registration is either stopped (stop() true, f never runs) or run
  // (f reports once): never both, never neither. On real threads the two
  // race; in the simulation the cancel lands at main's yield after stop 100.
  run_both([] {
    constexpr int kFuncs = 200;
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    Chan<int> ran(kFuncs);
    std::vector<lockstep::StopFunc> stops;
    for (int i = 0; i < kFuncs; ++i) stops.push_back(lockstep::after_func(ctx, [ran, i] { ran.send(i); }));
    lockstep::go("canceller", [cancel = cancel] { cancel(); });
    int stopped = 0;
    for (int i = 0; i < kFuncs; ++i) {
      if (i == kFuncs / 2) lockstep::yield();
      stopped += stops[static_cast<std::size_t>(i)]() ? 1 : 0;
    }
    std::vector<bool> seen(kFuncs, false);
    for (int n = 0; n < kFuncs - stopped; ++n) {
      int i = ran.recv().value();
      CHECK_FALSE(seen[static_cast<std::size_t>(i)]);
      seen[static_cast<std::size_t>(i)] = true;
    }
    CHECK(ran.try_recv().status == lockstep::ChanStatus::would_block);
    for (auto& stop : stops) CHECK(stop() == false);
    ctx.done().recv();  // the canceller has run
    if (lockstep::sim::in_simulation()) CHECK(stopped == kFuncs / 2);  // FIFO: cancel at the yield
  });
}
