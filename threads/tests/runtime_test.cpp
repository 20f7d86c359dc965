// Real-thread mode: goroutines on OS threads, goroutine accounting, dumps,
// the leak check, timers on the steady clock, and an escaping exception.
// Tests that wait for a goroutine to reach a state poll with a deadline (as
// goleak does), never a guessed sleep.
#include <catch2/catch.hpp>

#include <csignal>
#include <set>
#include <string>
#include <thread>

#include "lockstep.hpp"
#include "threads/tests/eventually.hpp"
#include "threads/tests/subprocess.hpp"

using namespace std::chrono_literals;
using lockstep::Chan;
using lockstep::LeakCheck;

namespace {

using lockstep::test::eventually;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("threads: go runs a goroutine on another thread, counted until it ends", "[real]") {
  LeakCheck leaks;
  Chan<std::thread::id> where(0);
  Chan<int> gate(0);
  lockstep::go([=] {
    where.send(std::this_thread::get_id());
    gate.recv();
  });
  CHECK(*where.recv() != std::this_thread::get_id());
  CHECK(lockstep::num_goroutines() == leaks.baseline() + 1);
  gate.send(1);
  leaks.verify();
  CHECK(lockstep::num_goroutines() == leaks.baseline());
}

TEST_CASE("threads: the dump shows a blocked goroutine in the simulation's format", "[real][dump]") {
  LeakCheck leaks;
  Chan<int> gate(0);
  int spawn_line = __LINE__ + 1;
  lockstep::go("courier-poller", [gate] { gate.recv(); });
  std::string dump;
  REQUIRE(eventually([&] { return contains(dump = lockstep::goroutine_dump(), "blocked"); }));
  std::string site = fmt::format("threads/tests/runtime_test.cpp:{}", spawn_line);
  CHECK_THAT(dump, Catch::Matches(fmt::format(
                       "goroutine dump at \\+[0-9.a-z]+ \\([-0-9T:.]+Z\\): 1 goroutine in 1 group\n"
                       "1 goroutine blocked \\[chan receive\\] at {0}, spawned at {0}\n"
                       "  goroutine [0-9]+ \"courier-poller\" on chan<int> #g[0-9]+ cap=0 len=0 since "
                       "\\+[0-9.a-z]+\n",
                       site)));
  gate.close();
  leaks.verify();
}

TEST_CASE("threads: a leak check fails with the grouped dump, and passes once they end", "[real][leak]") {
  Chan<int> gate(0);
  int check_line = __LINE__ + 1;
  LeakCheck leaks;
  for (int i = 0; i < 2; ++i) lockstep::go("stuck", [gate] { gate.recv(); });
  REQUIRE(eventually([&] { return contains(lockstep::goroutine_dump(), "2 goroutines blocked"); }));
  std::string message;
  try {
    leaks.verify(50ms);
  } catch (const lockstep::GoroutineLeak& e) {
    message = e.what();
  }
  CHECK_THAT(message, Catch::StartsWith(fmt::format(
                          "lockstep: 2 goroutines outlived the leak check started at "
                          "threads/tests/runtime_test.cpp:{} ({} then, {} after waiting 50ms)\n"
                          "goroutine dump at ",
                          check_line, leaks.baseline(), leaks.baseline() + 2)));
  CHECK_THAT(message, Catch::Contains("2 goroutines blocked [chan receive] at threads/tests/runtime_test.cpp:"));
  gate.close();
  leaks.verify();
}

TEST_CASE("threads: a thread go() did not start shows in the dump while blocked", "[real][dump]") {
  Chan<int> ch(0);
  int line = __LINE__ + 1;
  std::thread t([ch] { ch.recv(); });
  std::string dump;
  REQUIRE(eventually([&] { return contains(dump = lockstep::goroutine_dump(), "1 thread blocked"); }));
  CHECK_THAT(dump, Catch::Contains(fmt::format(
                       "1 thread blocked [chan receive] at threads/tests/runtime_test.cpp:{}\n  thread ", line)));
  CHECK_FALSE(contains(dump, "spawned at"));  // a thread has no spawn site
  ch.send(1);
  t.join();
  CHECK_FALSE(contains(lockstep::goroutine_dump(), "thread blocked"));
}

TEST_CASE("threads: an escaping exception prints the goroutine and aborts, as a Go panic", "[real]") {
  auto child = lockstep::test::run_child({LOCKSTEP_UNCAUGHT_HELPER});
  CHECK(child.signal == SIGABRT);
  CHECK_THAT(child.err, Catch::Matches(
                       "lockstep: uncaught exception in goroutine [0-9]+ \"courier-loader\" \\(spawned at "
                       "threads/tests/uncaught_goroutine.cpp:29\\): courier 7 not found\n"
                       "\\(a goroutine must not let exceptions escape: return errors through an ErrGroup "
                       "or a channel\\)\n"
                       "goroutine dump at [^\n]*\n"
                       "1 goroutine running, last scheduling point at threads/tests/uncaught_goroutine.cpp:29, "
                       "spawned at threads/tests/uncaught_goroutine.cpp:29\n"
                       "  goroutine [0-9]+ \"courier-loader\"\n"
                       "1 thread blocked \\[chan receive\\] at threads/tests/uncaught_goroutine.cpp:34\n"
                       "  thread [0-9]+ \"main\" on chan<int> #g1 cap=0 len=0 since [^\n]*\n(.|\n)*"));
}

TEST_CASE("threads: timers, tickers, sleeps and deadlines run on the steady clock", "[real][timer]") {
  LeakCheck leaks;
  auto start = lockstep::Clock::now();
  lockstep::Timer timer(20ms);
  auto fired = *timer.chan().recv();
  CHECK(fired - start >= 20ms);
  CHECK(lockstep::Clock::now() >= fired);

  lockstep::Ticker ticker(5ms);
  auto t1 = *ticker.chan().recv();
  auto t2 = *ticker.chan().recv();
  CHECK(t2 - t1 >= 5ms);
  ticker.stop();

  auto before = lockstep::Clock::now();
  lockstep::sleep(5ms);
  CHECK(lockstep::Clock::now() - before >= 5ms);

  auto [ctx, cancel] = lockstep::with_timeout(lockstep::background(), 10ms);
  ctx.done().recv();
  CHECK(ctx.err() == lockstep::deadline_exceeded_error());
  cancel();

  Chan<int> ran(1);
  lockstep::after_func(1ms, [ran] { ran.send(1); });
  CHECK(ran.recv() == 1);
  leaks.verify();
}

TEST_CASE("threads: stop and reset race safely with a firing timer", "[real][timer]") {
  // Proves (under ThreadSanitizer) that stop/reset from several threads and
  // the timer thread's fires never touch a timer at the same time, and that
  // a stopped ticker stays stopped.
  LeakCheck leaks;
  lockstep::Timer timer(1us);
  lockstep::Ticker ticker(1us);
  lockstep::WaitGroup wg;
  for (int g = 0; g < 4; ++g)
    wg.go([=] {
      for (int i = 0; i < 2000; ++i) {
        timer.reset(std::chrono::microseconds(i % 3));
        if (i % 7 == 0) timer.stop();
        ticker.reset(std::chrono::microseconds(1 + i % 5));
        timer.chan().try_recv();
        ticker.chan().try_recv();
      }
    });
  wg.wait();
  ticker.stop();
  timer.stop();
  ticker.chan().try_recv();
  lockstep::sleep(5ms);
  CHECK(ticker.chan().try_recv().status == lockstep::ChanStatus::would_block);
  leaks.verify();
}

TEST_CASE("threads: idle goroutine threads are reused", "[real]") {
  LeakCheck leaks;
  std::set<std::thread::id> threads;
  for (int i = 0; i < 200; ++i) {
    Chan<std::thread::id> where(1);
    lockstep::go([where] { where.send(std::this_thread::get_id()); });
    threads.insert(*where.recv());
    leaks.verify();
  }
  CHECK(threads.size() < 100);
}

TEST_CASE("threads: misuse on a real thread names the thread and the object", "[real][misuse]") {
  lockstep::Mutex mu;
  int line = __LINE__ + 1;
  CHECK_THROWS_WITH(mu.unlock(), Catch::Matches(fmt::format(
                                     "lockstep: unlock of unlocked mutex on mutex #g[0-9]+ unlocked \\(in "
                                     "thread [0-9]+ \"main\", at threads/tests/runtime_test.cpp:{}\\)",
                                     line)));
  auto r = lockstep::sim::run([] { LeakCheck leaks; });
  CHECK(r.verdict == lockstep::sim::Verdict::misuse);
  CHECK_THAT(r.message, Catch::Contains("LeakCheck in a simulation (its leak verdict checks this already)"));
}

TEST_CASE("threads: in a simulation num_goroutines and the dump show its fibers", "[real][dump]") {
  std::size_t count = 0;
  std::string dump;
  int line = 0;
  auto r = lockstep::sim::run([&] {
    Chan<int> gate(0);
    line = __LINE__ + 1;
    for (int i = 0; i < 2; ++i) lockstep::go("waiter", [gate] { gate.recv(); });
    lockstep::sim::wait();
    count = lockstep::num_goroutines();
    dump = lockstep::goroutine_dump();
    gate.close();
  });
  CHECK(r.passed());
  CHECK(count == 3);  // main and the two waiters
  std::string site = fmt::format("threads/tests/runtime_test.cpp:{}", line);
  CHECK_THAT(dump, Catch::StartsWith(fmt::format(
                       "goroutine dump at +0s (2000-01-01T00:00:00Z): 3 fibers in 2 groups\n"
                       "1 fiber running, last scheduling point at threads/tests/runtime_test.cpp:{}, spawned at ",
                       line + 1)));
  CHECK_THAT(dump, Catch::EndsWith(fmt::format("2 fibers blocked [chan receive] at {0}, spawned at {0}\n"
                                               "  fiber 2 \"waiter\" on chan<int> #1 cap=0 len=0 since +0s\n"
                                               "  fiber 3 \"waiter\" on chan<int> #1 cap=0 len=0 since +0s\n",
                                               site)));
}
