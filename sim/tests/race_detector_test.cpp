// The race detector (LOCKSTEP_RACE_DETECTOR builds only; sim/tests/CMakeLists.txt):
// accesses of two fibers with no Go happens-before edge between them end the
// run with the race verdict, naming both fibers and both sites; the same
// accesses ordered by a primitive pass. Every test runs one fixed schedule
// (FIFO), so each asserts one exact verdict.
#include <catch2/catch.hpp>

#include "sim/tests/support.hpp"

using namespace std::chrono_literals;
namespace sim = lockstep::sim;

namespace {

std::string here(int line) { return fmt::format("sim/tests/race_detector_test.cpp:{}", line); }

// running() is the dump's entry for the fiber named `name`, if it runs.
bool running(const sim::Report& r, const std::string& name) {
  for (const auto& f : r.fibers)
    if (f.name == name) return f.state == sim::FiberState::running;
  return false;
}

int shared_counter = 0;  // a global, as a racy program's state often is

// passed() checks a run passed, with the whole report when it did not.
void passed(const sim::Report& r) {
  INFO(sim::to_string(r));
  CHECK(r.verdict == sim::Verdict::passed);
}

}  // namespace

TEST_CASE("race: two fibers increment a plain int with no synchronisation", "[race]") {
  shared_counter = 0;
  int line = __LINE__ + 3;
  auto r = sim::run([] {
    lockstep::WaitGroup wg;
    auto bump = [&] { ++shared_counter; wg.done(); };
    wg.add(2);
    lockstep::go("bump-a", bump);
    lockstep::go("bump-b", bump);
    wg.wait();
  });
  CHECK(r.verdict == sim::Verdict::race);
  CHECK(r.message == fmt::format("race: data race: read by fiber 3 \"bump-b\" at {}, unordered with an "
                                 "earlier write by fiber 2 \"bump-a\" at {}",
                                 here(line), here(line)));
  CHECK(running(r, "bump-b"));
  CHECK(r.left_in_place == 1);  // bump-b stopped at wg.done(), its next scheduling point
}

TEST_CASE("race: a write ordered only by a sleep is a race", "[race][sleep]") {
  int x = 0, seen = 0;
  int write_line = __LINE__ + 2;
  auto r = sim::run([&] {
    lockstep::go("writer", [&] { x = 1; });
    lockstep::sleep(1s);
    seen = x;  // the writer ran long ago, in virtual time: no edge all the same
  });
  int read_line = write_line + 2;
  INFO(sim::to_string(r));
  CHECK(r.verdict == sim::Verdict::race);
  CHECK(r.message == fmt::format("race: data race: read by fiber 1 \"main\" at {}, unordered with an "
                                 "earlier write by fiber 2 \"writer\" at {}",
                                 here(read_line), here(write_line)));
  CHECK(running(r, "main"));
  CHECK(r.left_in_place == 0);  // main's read was its last act: it returned
}

TEST_CASE("race: a value handed over a channel, then read, is no race", "[race][chan]") {
  for (std::size_t capacity : {0, 1}) {
    int x = 0;
    auto r = sim::run([&] {
      lockstep::Chan<int> c(capacity);
      lockstep::go("writer", [&] {
        x = 1;
        c.send(1);
      });
      c.recv();
      CHECK(x == 1);
    });
    passed(r);
  }
}

TEST_CASE("race: an unbuffered receive happens before its send completes", "[race][chan]") {
  int x = 0;
  auto r = sim::run([&] {
    lockstep::Chan<int> c(0);
    lockstep::WaitGroup wg;
    wg.add(1);
    lockstep::go("receiver", [&] {
      x = 1;
      c.recv();
      wg.done();
    });
    c.send(1);
    x = 2;
    wg.wait();
  });
  passed(r);
}

TEST_CASE("race: accesses under one mutex are no race", "[race][mutex]") {
  int x = 0;
  auto r = sim::run([&] {
    lockstep::Mutex mu;
    lockstep::WaitGroup wg;
    for (const char* name : {"a", "b", "c"}) {
      wg.add(1);
      lockstep::go(name, [&] {
        mu.lock();
        ++x;
        lockstep::yield();  // the others queue on the mutex meanwhile
        mu.unlock();
        wg.done();
      });
    }
    wg.wait();
    CHECK(x == 3);
  });
  passed(r);
}

TEST_CASE("race: readers under an RWMutex run together, a writer after them", "[race][rwmutex]") {
  int x = 0;
  auto r = sim::run([&] {
    lockstep::RWMutex mu;
    lockstep::WaitGroup wg;
    wg.add(3);
    for (const char* name : {"reader-a", "reader-b"})
      lockstep::go(name, [&] {
        mu.rlock();
        int seen = x;
        (void)seen;
        lockstep::yield();
        mu.runlock();
        wg.done();
      });
    lockstep::go("writer", [&] {
      mu.lock();
      x = 1;
      mu.unlock();
      wg.done();
    });
    wg.wait();
  });
  passed(r);
}

TEST_CASE("race: WaitGroup done happens before wait returns", "[race][waitgroup]") {
  int x = 0, y = 0;
  auto r = sim::run([&] {
    lockstep::WaitGroup wg;
    wg.add(2);
    lockstep::go("x", [&] {
      x = 1;
      wg.done();
    });
    lockstep::go("y", [&] {
      y = 1;
      wg.done();
    });
    wg.wait();
    CHECK(x + y == 2);
  });
  passed(r);
}

TEST_CASE("race: close happens before a receive that sees it", "[race][chan][close]") {
  int x = 0;
  auto r = sim::run([&] {
    lockstep::Chan<int> done(0);
    lockstep::go("closer", [&] {
      x = 1;
      done.close();
    });
    CHECK(!done.recv());
    CHECK(x == 1);
  });
  passed(r);
}

TEST_CASE("race: a buffered channel of capacity 1 is a lock, of capacity 2 is not", "[race][chan]") {
  for (std::size_t capacity : {1, 2}) {
    shared_counter = 0;
    int line = __LINE__ + 6;
    auto r = sim::run([&] {
      lockstep::Chan<int> sem(capacity);
      lockstep::WaitGroup wg;
      auto enter = [&] {
        sem.send(0);
        ++shared_counter;
        lockstep::yield();
        sem.recv();
        wg.done();
      };
      wg.add(2);
      lockstep::go("a", enter);
      lockstep::go("b", enter);
      wg.wait();
    });
    if (capacity == 1) {
      passed(r);
    } else {
      INFO(sim::to_string(r));
      CHECK(r.verdict == sim::Verdict::race);
      CHECK(r.message == fmt::format("race: data race: read by fiber 3 \"b\" at {}, unordered with an "
                                     "earlier write by fiber 2 \"a\" at {}",
                                     here(line), here(line)));
    }
  }
}

TEST_CASE("race: Once's function happens before every call returns", "[race][once]") {
  // Catch's CHECK is not for fibers to share (it writes the test's tally):
  // what a fiber sees is kept and checked after the run.
  int config = 0, seen_a = 0, seen_b = 0;
  auto r = sim::run([&] {
    lockstep::Once once;
    lockstep::WaitGroup wg;
    wg.add(2);
    for (int* seen : {&seen_a, &seen_b})
      lockstep::go(seen == &seen_a ? "a" : "b", [&, seen] {
        once.call([&] {
          lockstep::yield();  // the other caller waits for it
          config = 42;
        });
        *seen = config;
        wg.done();
      });
    wg.wait();
  });
  passed(r);
  CHECK(seen_a == 42);
  CHECK(seen_b == 42);
}

TEST_CASE("race: cancel happens before done() is seen closed and err() set", "[race][context]") {
  int x = 0, y = 0;
  auto r = sim::run([&] {
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    auto [ctx2, cancel2] = lockstep::with_cancel(lockstep::background());
    lockstep::go("canceller", [&, cancel = cancel, cancel2 = cancel2] {
      x = 1;
      cancel();
      y = 1;
      cancel2();
    });
    CHECK(!ctx.done().recv());
    CHECK(x == 1);
    while (!ctx2.err()) lockstep::yield();
    CHECK(y == 1);
  });
  passed(r);
}

TEST_CASE("race: a Semaphore release happens before the acquire it lets in", "[race][semaphore]") {
  int x = 0;
  auto r = sim::run([&] {
    lockstep::Semaphore sem(1);
    sem.acquire(1);
    lockstep::go("holder", [&] {
      x = 1;
      sem.release(1);
    });
    sem.acquire(1);
    CHECK(x == 1);
    sem.release(1);
  });
  passed(r);
}

TEST_CASE("race: lockstep Atomic operations order like Go's sync/atomic", "[race][atomic]") {
  int x = 0;
  auto r = sim::run([&] {
    lockstep::Atomic<bool> ready;
    lockstep::go("publisher", [&] {
      x = 1;
      ready.store(true);
    });
    while (!ready.load()) lockstep::yield();
    CHECK(x == 1);
  });
  passed(r);
}

TEST_CASE("race: a select case orders like its channel operation", "[race][select]") {
  int x = 0;
  auto r = sim::run([&] {
    lockstep::Chan<int> a(0), b(0);
    lockstep::go("sender", [&] {
      x = 1;
      b.send(2);
    });
    int got = 0;
    lockstep::select(lockstep::on_recv(a, [&](std::optional<int> v) { got = *v; }),
                     lockstep::on_recv(b, [&](std::optional<int> v) { got = *v; }));
    CHECK(got == 2);
    CHECK(x == 1);
  });
  passed(r);
}

TEST_CASE("race: what main wrote before run and the fibers wrote in it is ordered", "[race][go]") {
  int before = 1, inside = 0;
  auto r = sim::run([&] {
    lockstep::go("child", [&] { inside = before + 1; });
  });
  passed(r);
  CHECK(inside == 2);  // read after run() returns: every exit happens before
}

TEST_CASE("race: the same race is reported on every run, with the same message", "[race][determinism]") {
  // TSan reports a pair of stacks once per process by default; a simulation
  // replays schedules, so the race build turns that off.
  std::vector<std::string> messages;
  for (int run = 0; run < 3; ++run) {
    int x = 0, seen = 0;
    auto r = sim::run([&] {
      lockstep::go("writer", [&] { x = 1; });
      lockstep::sleep(1s);
      seen = x;
    });
    CHECK(r.verdict == sim::Verdict::race);
    messages.push_back(r.message);
  }
  CHECK(messages[1] == messages[0]);
  CHECK(messages[2] == messages[0]);
}

TEST_CASE("race: a fiber record reused by go() hands no buffer of its old fiber to the caller", "[race][go]") {
  // Names past std::string's inline capacity live on the heap. A record
  // reused by move-assigning the new name swapped buffers: the caller of
  // go() then freed the old name, allocated by the fiber that spawned the
  // record's previous fiber, with no edge between the two (etcd 7443).
  auto r = sim::run([] {
    lockstep::Chan<int> never(0);
    lockstep::go("a-spawner-named-at-length", [never] {
      lockstep::go("a-child-named-at-length", [] {});
      lockstep::yield();
      never.recv();
    });
    lockstep::yield();
    lockstep::yield();
    lockstep::yield();
    lockstep::go("a-third-fiber-named-at-length", [] {});
    never.close();
  });
  passed(r);
}

TEST_CASE("race: a new fiber inherits no order from the dead fiber whose TSan state it reuses", "[race][go]") {
  // TSan reuses a destroyed fiber's state for the next one; a synchronising
  // switch into it while the fiber is constructed made its creator acquire
  // what the dead fiber's creator had released there.
  int x = 0, seen = 0;
  int write_line = __LINE__ + 5;
  int read_line = __LINE__ + 11;
  auto r = sim::run([&] {
    lockstep::Chan<int> never(0);
    lockstep::go("spawner", [&x, never] {
      x = 1;
      lockstep::go("child", [] {});
      lockstep::yield();  // the child exits: its state is free
      never.recv();
    });
    for (int i = 0; i < 3; ++i) lockstep::yield();
    lockstep::go("third", [] {});  // takes the child's state
    seen = x;
    never.close();
  });
  CHECK(r.verdict == sim::Verdict::race);
  CHECK(r.message == fmt::format("race: data race: read by fiber 1 \"main\" at {}, unordered with an earlier "
                                 "write by fiber 2 \"spawner\" at {}",
                                 here(read_line), here(write_line)));
}
