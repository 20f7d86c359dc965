// The M:N runtime: what only it does (blocking() hands a worker off, the
// monitor reports a stuck worker and lets idle workers take its queue), and
// stress at the scale it exists for. Part of the real-mode test binary; the
// tests that are about the M:N runtime skip under LOCKSTEP_RUNTIME=threads.
// Waits poll with a deadline that bounds a failure, never a guessed sleep.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <future>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "lockstep.hpp"
#include "threads/tests/eventually.hpp"
#include "mn/mn_runtime.hpp"
#include "runtime/sanitizer_hooks.hpp"
#include "threads/tests/subprocess.hpp"

using namespace std::chrono_literals;
using lockstep::Chan;
using lockstep::LeakCheck;
using lockstep::mn::detail::MnRuntime;

namespace {

using lockstep::test::eventually;

MnRuntime* mn_runtime() { return dynamic_cast<MnRuntime*>(&lockstep::detail::real_runtime()); }


// A count that is small enough under TSan (a live fiber costs it ~1 MB).
constexpr int scaled(int n) {
#if defined(LOCKSTEP_TSAN)
  return n / 100 > 0 ? n / 100 : 1;
#else
  return n;
#endif
}

}  // namespace

TEST_CASE("mn: blocking() hands the worker to another thread, so the others run", "[real][mn][blocking]") {
  // Proves the hand-off: every worker's goroutine is inside blocking(),
  // waiting on a std::promise this thread keeps unfulfilled; a goroutine
  // spawned after them still runs and answers. Without the hand-off the
  // workers would all be held and the answer would never come.
  MnRuntime* rt = mn_runtime();
  if (rt == nullptr) {
    WARN("skipped: the thread runtime runs every goroutine on its own thread");
    return;
  }
  LeakCheck leaks;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<unsigned> inside{0};
  lockstep::WaitGroup wg;
  for (unsigned i = 0; i < rt->procs(); ++i)
    wg.go([&] {
      lockstep::blocking([&] {
        inside.fetch_add(1);
        released.wait();
      });
    });
  REQUIRE(eventually([&] { return inside.load() == rt->procs(); }));
  Chan<int> answer(0);
  lockstep::go([answer] { answer.send(42); });
  CHECK(answer.recv() == 42);
  release.set_value();
  wg.wait();
  leaks.verify();
}

TEST_CASE("mn: inside blocking(), primitives park the thread and go() still spawns", "[real][mn][blocking]") {
  // Proves a goroutine in a blocking call can still wait on a channel (it
  // sleeps on its thread), be woken by another goroutine, nest blocking()
  // and start goroutines; and that it runs normally after.
  LeakCheck leaks;
  Chan<int> in(0), out(0);
  lockstep::go([=] {
    int got = lockstep::blocking([&] {
      lockstep::go([=] { in.send(7); });
      return lockstep::blocking([&] { return *in.recv(); });  // nested: one hand-off
    });
    out.send(got * 6);
  });
  CHECK(out.recv() == 42);
  leaks.verify();
}

TEST_CASE("mn: blocking() returns f's value and passes its exception through", "[real][mn][blocking]") {
  LeakCheck leaks;
  Chan<std::string> out(1);
  lockstep::go([=] {
    try {
      lockstep::blocking([]() -> int { throw std::runtime_error("disk on fire"); });
    } catch (const std::runtime_error& e) {
      out.send(std::string(e.what()) + ", then " + std::to_string(lockstep::blocking([] { return 1; })));
    }
  });
  CHECK(out.recv() == "disk on fire, then 1");
  leaks.verify();
}

namespace {
std::atomic<int> stall_reports{0};
std::string last_stall;  // written before stall_reports is bumped
void capture_stall(const std::string& line) {
  last_stall = line;
  stall_reports.fetch_add(1, std::memory_order_release);
}
}  // namespace

TEST_CASE("mn: a worker held by one goroutine is reported, and its queue taken by idle workers",
          "[real][mn][monitor]") {
  // Proves the monitor: "hog" holds its worker without a scheduling point
  // until the report arrives, naming it and its spawn site. Meanwhile the
  // goroutine it readied into its own runnext slot is taken and run by
  // another worker (with one worker, nobody can; that part is skipped).
  MnRuntime* rt = mn_runtime();
  if (rt == nullptr) {
    WARN("skipped: no monitor on the thread runtime");
    return;
  }
  LeakCheck leaks;
  MnRuntime::stall_reporter = &capture_stall;
  int before = stall_reports.load();
  std::atomic<bool> helped{false};
  Chan<int> wake(1);
  lockstep::go("helper", [&, wake] {
    wake.recv();
    helped.store(true);
  });
  REQUIRE(eventually([&] { return lockstep::num_goroutines() == leaks.baseline() + 1; }));
  std::atomic<bool> hog_gave_up{false};
  int line = __LINE__ + 1;
  lockstep::go("hog", [&, wake] {
    wake.send(1);  // readies "helper" into this worker's runnext
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while ((stall_reports.load(std::memory_order_acquire) == before ||
            (rt->procs() > 1 && !helped.load())) &&
           std::chrono::steady_clock::now() < deadline) {
    }  // no scheduling point: the worker is held
    hog_gave_up.store(std::chrono::steady_clock::now() >= deadline);
  });
  REQUIRE(eventually([&] { return stall_reports.load(std::memory_order_acquire) > before; }));
  CHECK_THAT(last_stall, Catch::Contains(fmt::format(" \"hog\" (spawned at mn/tests/scheduler_test.cpp:{})", line)));
  CHECK_THAT(last_stall, Catch::Contains("without a scheduling point; the worker's other goroutines wait"));
  if (rt->procs() > 1) CHECK(eventually([&] { return helped.load(); }));
  leaks.verify();
  CHECK_FALSE(hog_gave_up.load());  // "helper" ran while "hog" held its worker, not after
  MnRuntime::stall_reporter = nullptr;
}

TEST_CASE("mn: a goroutine that overflows its stack is named as it dies", "[real][mn][overflow]") {
  // Proves the guard page below a goroutine's stack is caught: the helper
  // program's goroutine recurses without end; the process aborts naming it.
  // Under ASan too: lockstep's handler is installed after ASan's, so it
  // answers first (ASan's own report comes only for faults that are not a
  // goroutine's overflow).
  if (const char* rt = std::getenv("LOCKSTEP_RUNTIME"); rt != nullptr && std::string(rt) == "threads") {
    WARN("skipped: a goroutine is a thread there, with the thread's own stack");
    return;
  }
  auto child = lockstep::test::run_child({LOCKSTEP_UNCAUGHT_HELPER, "overflow"});
#if defined(LOCKSTEP_ASAN)
  constexpr int kStackKiB = 256;
#else
  constexpr int kStackKiB = 64;
#endif
  auto ours = Catch::Matches(fmt::format("lockstep: stack overflow in goroutine [0-9]+ \"deep-recursion\" \\(spawned at "
                                         "threads/tests/uncaught_goroutine.cpp:25\\): it used all of its {} KiB "
                                         "stack; raise LOCKSTEP_STACK_KIB\n",
                                         kStackKiB));
  CHECK(child.signal == SIGABRT);
  CHECK_THAT(child.err, ours);
}

TEST_CASE("mn: a bad runtime setting in the environment ends the process with one line", "[real][mn][env]") {
  // Proves each setting is checked when the runtime starts (the helper's
  // first go()), with the value and its range named, and status 2.
  struct Case {
    const char* env;
    const char* line;
  };
  for (const Case& c :
       {Case{"LOCKSTEP_RUNTIME=fibers", "lockstep: LOCKSTEP_RUNTIME=fibers: expected mn (the default) or threads\n"},
        Case{"LOCKSTEP_PROCS=0", "lockstep: LOCKSTEP_PROCS=0: expected a number of worker threads from 1 to 64\n"},
        Case{"LOCKSTEP_PROCS=65", "lockstep: LOCKSTEP_PROCS=65: expected a number of worker threads from 1 to 64\n"},
        Case{"LOCKSTEP_PROCS=-1", "lockstep: LOCKSTEP_PROCS=-1: expected a number of worker threads from 1 to 64\n"},
        Case{"LOCKSTEP_STACK_KIB=8", "lockstep: LOCKSTEP_STACK_KIB=8: expected a stack size in KiB from 16 to 65536\n"},
        Case{"LOCKSTEP_STALL_REPORT_MS=soon",
             "lockstep: LOCKSTEP_STALL_REPORT_MS=soon: expected milliseconds from 0 (off) to 86400000\n"},
        Case{"LOCKSTEP_SPIN_US=2s", "lockstep: LOCKSTEP_SPIN_US=2s: expected microseconds from 0 (off) to 1000000\n"}}) {
    INFO(c.env);
    std::vector<std::string> env = {c.env};
    if (std::string_view(c.env).rfind("LOCKSTEP_RUNTIME=", 0) != 0) env.push_back("LOCKSTEP_RUNTIME=mn");
    auto child = lockstep::test::run_child({LOCKSTEP_UNCAUGHT_HELPER}, env);
    CHECK(child.exit_code == 2);
    CHECK(child.err == c.line);
  }
}

TEST_CASE("mn: 100k goroutines blocked on one channel, released by one close", "[real][mn][stress]") {
  if (mn_runtime() == nullptr) {
    WARN("skipped: the thread runtime cannot hold 100k goroutines");
    return;
  }
  // Proves scale: every goroutine parks (the count reaches them all), one
  // close wakes every one, each is counted exactly once, and none is left.
  const int n = scaled(100'000);
  LeakCheck leaks;
  Chan<int> gate(0);
  std::atomic<int> woken{0};
  lockstep::WaitGroup wg;
  for (int i = 0; i < n; ++i)
    wg.go([gate, &woken] {
      if (!gate.recv()) woken.fetch_add(1, std::memory_order_relaxed);
    });
  REQUIRE(eventually([&] { return lockstep::num_goroutines() == leaks.baseline() + static_cast<std::size_t>(n); }));
  gate.close();
  wg.wait();
  CHECK(woken.load() == n);
  leaks.verify();
}

TEST_CASE("mn: timers under load fire once, never early", "[real][mn][timers]") {
  if (mn_runtime() == nullptr) {
    WARN("skipped: thousands of sleeping goroutines are thousands of threads there");
    return;
  }
  // Proves every sleeper wakes at or after its deadline, exactly once, while
  // the workers are also busy with ping-pong pairs.
  const int sleepers = scaled(2'000), pairs = 8;
  LeakCheck leaks;
  std::atomic<int> early{0}, done{0};
  lockstep::WaitGroup wg;
  for (int i = 0; i < pairs; ++i) {
    Chan<int> a(0), b(0);
    wg.go([a, b] {
      for (int k = 0; k < 2000; ++k) b.send(*a.recv());
    });
    wg.go([a, b] {
      for (int k = 0; k < 2000; ++k) {
        a.send(k);
        b.recv();
      }
    });
  }
  for (int i = 0; i < sleepers; ++i)
    wg.go([i, &early, &done] {
      auto d = std::chrono::microseconds(100 * (i % 50));
      auto start = lockstep::Clock::now();
      lockstep::sleep(d);
      if (lockstep::Clock::now() - start < d) early.fetch_add(1);
      done.fetch_add(1);
    });
  wg.wait();
  CHECK(early.load() == 0);
  CHECK(done.load() == sleepers);
  leaks.verify();
}

TEST_CASE("mn: goroutines waiting on timers that come due as they park", "[real][mn][timers]") {
  // Regression: park() used to fire due timers while it held the lock of the
  // channel it parked on; a timer due on that very channel then spun on the
  // lock forever. Many tiny timers make that moment common.
  LeakCheck leaks;
  std::atomic<int> ticks{0};
  lockstep::WaitGroup wg;
  for (int g = 0; g < 8; ++g)
    wg.go([&ticks] {
      for (int i = 0; i < scaled(2000); ++i)
        if (lockstep::after(std::chrono::microseconds(i % 3)).recv()) ticks.fetch_add(1);
    });
  wg.wait();
  CHECK(ticks.load() == 8 * scaled(2000));
  leaks.verify();
}

TEST_CASE("mn: a sleeper whose timer fires before its park completes wakes", "[real][mn][timers]") {
  // A sleep's timer readies its goroutine without any lock the park holds,
  // so another worker may fire it between add_timer and the park's state
  // change: the goroutine is `notified` on its way to parked and must not
  // park (a lost wake-up would leave it asleep forever). Sleeps of 0-2 us
  // on every worker make that moment common.
  LeakCheck leaks;
  std::atomic<int> woke{0};
  lockstep::WaitGroup wg;
  for (int g = 0; g < 8; ++g)
    wg.go([&woke] {
      for (int i = 0; i < scaled(4000); ++i) {
        lockstep::sleep(std::chrono::microseconds(i % 3));
        woke.fetch_add(1);
      }
    });
  auto [ctx, cancel] = lockstep::with_timeout(lockstep::background(), 30s);
  REQUIRE(wg.wait(ctx) == nullptr);
  cancel();
  CHECK(woke.load() == 8 * scaled(4000));
  leaks.verify();
}

TEST_CASE("mn: a cancellation storm wakes every waiter of every context once", "[real][mn][stress]") {
  if (mn_runtime() == nullptr) {
    WARN("skipped: ten thousand waiters are ten thousand threads there");
    return;
  }
  const int contexts = 50, waiters = scaled(200);
  LeakCheck leaks;
  std::atomic<int> woken{0};
  lockstep::WaitGroup wg;
  std::vector<lockstep::CancelFunc> cancels;
  for (int c = 0; c < contexts; ++c) {
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    cancels.push_back(cancel);
    for (int w = 0; w < waiters; ++w)
      wg.go([ctx = ctx, &woken] {
        ctx.done().recv();
        if (lockstep::is_canceled(ctx.err())) woken.fetch_add(1);
      });
  }
  std::vector<std::thread> cancellers;
  for (int t = 0; t < 4; ++t)
    cancellers.emplace_back([&, t] {
      for (int c = t; c < contexts; c += 4) cancels[static_cast<std::size_t>(c)]();
    });
  for (auto& t : cancellers) t.join();
  wg.wait();
  CHECK(woken.load() == contexts * waiters);
  leaks.verify();
}
