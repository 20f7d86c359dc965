// Teardown: a leak or deadlock verdict never crashes, whatever the fibers left
// hold or refer to (docs/simulation.md, "Teardown").
//
// Each test is a shape users meet: a leaked fiber that holds a guard on a
// primitive that lived in main's frame, or waits on one, when main returns.
// Before the fix each of them killed the process (SIGSEGV, or heap-use-after-
// free under ASan) while the simulation unwound the fiber: the guard unlocked
// a mutex in a frame that was gone, or the fiber's park touched a channel
// freed with main's handle. Now the report is exact and the unwinding either
// finds the dead primitive's tombstone (and does nothing) or leaves the fiber
// in place; every test also asserts how many fibers were left in place.
#include <catch2/catch.hpp>

#include <mutex>
#include <shared_mutex>

#include "sim/graveyard.hpp"
#include "sim/tests/support.hpp"

using namespace std::chrono_literals;
namespace sim = lockstep::sim;
using lockstep::Chan;

namespace {

std::string here(int line) { return fmt::format("sim/tests/teardown_test.cpp:{}", line); }

// One fiber's group in a dump: "1 fiber blocked [reason] at X, spawned at Y".
std::string group(const char* reason, int blocked, int spawned) {
  return fmt::format("1 fiber blocked [{}] at {}, spawned at {}\n", reason, here(blocked), here(spawned));
}

}  // namespace

TEST_CASE("teardown: a leaked fiber holding a guard on main's mutex, blocked on main's channel",
          "[teardown][leak]") {
  // The worker captures main's locals by reference, locks the mutex and
  // waits on the channel. Main returns: the mutex dies (its tombstone stays
  // in main's kept frame) and the channel's last handle dies (the parked
  // worker keeps the channel itself alive). Unwinding, the guard's unlock
  // finds the tombstone and does nothing.
  int spawn_line = 0, block_line = 0;
  bool unwound = false;
  auto r = sim::run([&] {
    lockstep::Mutex mu;
    Chan<int> replies(0);
    spawn_line = __LINE__ + 1;
    lockstep::go("worker", [&] {
      struct Done {
        bool* flag;
        ~Done() { *flag = true; }
      } done{&unwound};
      std::lock_guard guard(mu);
      block_line = __LINE__ + 1;
      replies.recv();
    });
    lockstep::sleep(1s);
  });
  CHECK(r.verdict == sim::Verdict::leak);
  CHECK(r.message == "leak: main returned but 1 fiber remains blocked");
  CHECK(r.elapsed() == 1s);
  CHECK(r.dump() == "wait-for graph: no cycle\n"
                    "  fiber 2 \"worker\" waits to receive from chan<int> #2 (since +0s): no fiber can ever send on chan<int> #2\n"
                    "goroutine dump at +1s (2000-01-01T00:00:01Z): 1 fiber in 1 group\n" +
                        group("chan receive", block_line, spawn_line) +
                        "  fiber 2 \"worker\" on chan<int> #2 cap=0 len=0 since +0s\n");
  CHECK(unwound);  // unwound, not left in place
  CHECK(r.left_in_place == 0);
}

TEST_CASE("teardown: a leaked fiber waiting in Cond::wait on main's cond and mutex",
          "[teardown][leak][cond]") {
  // The example: a worker that waits for a signal nobody sends. Its
  // guard holds main's mutex around the wait; both die with main's frame.
  int line = 0;
  auto r = sim::run([&] {
    lockstep::Mutex mu;
    lockstep::Cond cv(mu);
    bool ready = false;
    line = __LINE__ + 1;
    lockstep::go("worker", [&] { std::lock_guard guard(mu); while (!ready) cv.wait(); });
    lockstep::sim::wait();
  });
  CHECK(r.verdict == sim::Verdict::leak);
  CHECK(r.dump() == "wait-for graph: no cycle\n"
                    "  fiber 2 \"worker\" waits to be signalled on cond #2 (since +0s): no fiber can ever signal cond #2\n"
                    "goroutine dump at +0s (2000-01-01T00:00:00Z): 1 fiber in 1 group\n" +
                        group("sync.Cond.Wait", line, line) +
                        "  fiber 2 \"worker\" on cond #2 (mutex #1) (destroyed) since +0s\n");
  CHECK(r.left_in_place == 0);
}

TEST_CASE("teardown: a leaked fiber holding a read lock on main's rwmutex", "[teardown][leak][rwmutex]") {
  int spawn_line = 0, block_line = 0;
  auto r = sim::run([&] {
    lockstep::RWMutex rw;
    Chan<int> never(0);
    spawn_line = __LINE__ + 1;
    lockstep::go("reader", [&] {
      std::shared_lock lock(rw);
      block_line = __LINE__ + 1;
      never.recv();
    });
    lockstep::sim::wait();
  });
  CHECK(r.verdict == sim::Verdict::leak);
  CHECK(r.dump() == "wait-for graph: no cycle\n"
                    "  fiber 2 \"reader\" waits to receive from chan<int> #2 (since +0s): no fiber can ever send on chan<int> #2\n"
                    "goroutine dump at +0s (2000-01-01T00:00:00Z): 1 fiber in 1 group\n" +
                        group("chan receive", block_line, spawn_line) +
                        "  fiber 2 \"reader\" on chan<int> #2 cap=0 len=0 since +0s\n");
  CHECK(r.left_in_place == 0);
}

TEST_CASE("teardown: leaked fibers holding and waiting for main's semaphore", "[teardown][leak][semaphore]") {
  // "holder" took 2 of 3 units and releases them in a destructor; "waiter"
  // is parked asking for 2 more. Both outlive the semaphore.
  int holder_line = 0, waiter_line = 0, block_line = 0, acquire_line = 0;
  auto r = sim::run([&] {
    lockstep::Semaphore sem(3);
    Chan<int> never(0);
    holder_line = __LINE__ + 1;
    lockstep::go("holder", [&] {
      sem.acquire(2);
      struct Release {
        lockstep::Semaphore& s;
        ~Release() { s.release(2); }
      } release{sem};
      block_line = __LINE__ + 1;
      never.recv();
    });
    waiter_line = __LINE__ + 1;
    lockstep::go("waiter", [&] {
      acquire_line = __LINE__ + 1;
      sem.acquire(2);
    });
    lockstep::sim::wait();
  });
  CHECK(r.verdict == sim::Verdict::leak);
  CHECK(r.dump() == "wait-for graph: no cycle\n"
                    "  fiber 2 \"holder\" waits to receive from chan<int> #2 (since +0s): no fiber can ever send on chan<int> #2\n"
                    "  fiber 3 \"waiter\" waits to acquire 2 of semaphore #1 (since +0s): no fiber can ever release semaphore #1\n"
                    "goroutine dump at +0s (2000-01-01T00:00:00Z): 2 fibers in 2 groups\n" +
                        group("chan receive", block_line, holder_line) +
                        "  fiber 2 \"holder\" on chan<int> #2 cap=0 len=0 since +0s\n" +
                        group("semaphore acquire", acquire_line, waiter_line) +
                        "  fiber 3 \"waiter\" on semaphore #1 size=3 held=2 (destroyed) since +0s\n");
  CHECK(r.left_in_place == 0);
}

TEST_CASE("teardown: a leaked fiber in a select over main's channels, holding main's mutex",
          "[teardown][leak][select]") {
  int spawn_line = 0, select_line = 0;
  auto r = sim::run([&] {
    lockstep::Mutex mu;
    Chan<int> a(0), b(1);
    spawn_line = __LINE__ + 1;
    lockstep::go("selector", [&] {
      std::lock_guard guard(mu);
      select_line = __LINE__ + 1;
      lockstep::select(lockstep::on_recv(a), lockstep::on_recv(b));
    });
    lockstep::sim::wait();
  });
  CHECK(r.verdict == sim::Verdict::leak);
  CHECK(r.dump() == "wait-for graph: no cycle\n"
                    "  fiber 2 \"selector\" waits in select to receive from chan<int> #2 or to receive from chan<int> #3 (since +0s): no fiber can ever send on chan<int> #2; no fiber can ever send on chan<int> #3\n"
                    "goroutine dump at +0s (2000-01-01T00:00:00Z): 1 fiber in 1 group\n" +
                        group("select", select_line, spawn_line) +
                        "  fiber 2 \"selector\" on chan<int> #2 cap=0 len=0, chan<int> #3 cap=1 len=0 "
                        "since +0s\n");
  CHECK(r.left_in_place == 0);
}

TEST_CASE("teardown: a leaked fiber ranging over main's channel, with main's waitgroup deferred",
          "[teardown][leak][waitgroup]") {
  // The range loop and a done() in a destructor both refer to main's locals.
  int spawn_line = 0, range_line = 0;
  auto r = sim::run([&] {
    lockstep::WaitGroup wg;
    Chan<int> jobs(4);
    wg.add(1);
    spawn_line = __LINE__ + 1;
    lockstep::go("consumer", [&] {
      struct Done {
        lockstep::WaitGroup& wg;
        ~Done() { wg.done(); }
      } done{wg};
      range_line = __LINE__ + 1;
      for (int job : jobs) (void)job;
    });
    jobs.send(1);
    lockstep::sim::wait();
  });
  CHECK(r.verdict == sim::Verdict::leak);
  CHECK(r.dump() == "wait-for graph: no cycle\n"
                    "  fiber 2 \"consumer\" waits to receive from chan<int> #2 (since +0s): no fiber can ever send on chan<int> #2\n"
                    "goroutine dump at +0s (2000-01-01T00:00:00Z): 1 fiber in 1 group\n" +
                        group("chan receive", range_line, spawn_line) +
                        "  fiber 2 \"consumer\" on chan<int> #2 cap=4 len=0 since +0s\n");
  CHECK(r.left_in_place == 0);
}

TEST_CASE("teardown: a deadlock unwinds fibers that wait on a returned fiber's mutex",
          "[teardown][deadlock]") {
  // "owner" locks its own local mutex and hands its address out; "waiter"
  // parks on it; owner returns without unlocking, and main deadlocks. The
  // waiter was spawned by main, not by owner, so it is unwound: its park
  // sees the mutex detached, and its dump line shows it destroyed.
  auto r = sim::run([&] {
    Chan<lockstep::Mutex*> handoff(1);
    lockstep::go("owner", [&] {
      lockstep::Mutex mine;
      mine.lock();
      handoff.send(&mine);
      lockstep::sim::wait();  // the waiter parks on `mine`
    });
    lockstep::Mutex* m = *handoff.recv();
    lockstep::go("waiter", [m] { m->lock(); });
    Chan<int>().recv();
  });
  CHECK(r.verdict == sim::Verdict::deadlock);
  REQUIRE(r.fibers.size() == 2);
  CHECK(r.fibers[0].name == "main");
  CHECK(r.fibers[1].name == "waiter");
  CHECK(r.fibers[1].object == "mutex #2 held by fiber 2 (destroyed)");
  CHECK(r.left_in_place == 0);
}

TEST_CASE("teardown: a fiber whose spawner returned first is left in place", "[teardown][leak][orphan]") {
  // "parent" spawns "child" with a guard on parent's own local mutex and
  // returns. Parent's stack goes back to the pool and is reused by "later",
  // so unwinding the child would unlock whatever bytes are there now: it is
  // left in place instead, with its stack, and the report says so.
  std::size_t before = sim::detail::buried();
  int line = 0;
  auto r = sim::run([&] {
    Chan<int> never(0);
    lockstep::go("parent", [&] {
      lockstep::Mutex local;
      line = __LINE__ + 1;
      lockstep::go("child", [&] { std::lock_guard guard(local); never.recv(); });
      lockstep::yield();  // the child locks
    });
    lockstep::sim::wait();
    lockstep::go("later", [] { volatile char scribble[512] = {1}; (void)scribble; });
    lockstep::sim::wait();
  });
  CHECK(r.verdict == sim::Verdict::leak);
  REQUIRE(r.fibers.size() == 1);
  CHECK(r.fibers[0].name == "child");
  CHECK(r.left_in_place == 1);
  CHECK(sim::detail::buried() == before + 1);
  CHECK_THAT(sim::to_string(r), Catch::Contains("  1 fiber left in place at teardown, not unwound "
                                                "(docs/simulation.md, Teardown)\n"));
}

TEST_CASE("teardown: a grandchild of a returned fiber is left in place too", "[teardown][orphan]") {
  // The line of spawners is walked: "mid" is alive but its spawner returned,
  // so both mid and its child may refer to that frame.
  auto r = sim::run([&] {
    Chan<int> never(0);
    lockstep::go("top", [&] {
      int local = 0;
      lockstep::go("mid", [&] {
        lockstep::go("leaf", [&] { never.recv(); ++local; });
        never.recv();
      });
    });
    lockstep::sim::wait();
  });
  CHECK(r.verdict == sim::Verdict::leak);
  CHECK(r.fibers.size() == 2);
  CHECK(r.left_in_place == 2);
}

TEST_CASE("teardown: a misuse while unwinding leaves the fiber in place", "[teardown][misuse]") {
  // A destructor that closes a channel twice would throw Misuse while the
  // fiber unwinds (std::terminate). The verdict is in; the fiber stops there.
  bool after = false;
  auto r = sim::run([&] {
    lockstep::go("closer", [&] {
      Chan<int> ch(0);
      struct CloseTwice {
        Chan<int> ch;
        bool* after;
        ~CloseTwice() {
          ch.close();
          ch.close();
          *after = true;
        }
      } guard{ch, &after};
      Chan<int>().recv();
    });
    lockstep::sim::wait();
  });
  CHECK(r.verdict == sim::Verdict::leak);
  CHECK(r.left_in_place == 1);
  CHECK_FALSE(after);
}

TEST_CASE("teardown: blocking in a destructor while unwinding leaves the fiber in place",
          "[teardown][block]") {
  // Before, this aborted the process ("destructors must not block").
  bool after = false;
  auto r = sim::run([&] {
    lockstep::go("cleaner", [&] {
      struct Flush {
        bool* after;
        ~Flush() {
          Chan<int>(0).recv();
          *after = true;
        }
      } flush{&after};
      Chan<int>().recv();
    });
    lockstep::sim::wait();
  });
  CHECK(r.verdict == sim::Verdict::leak);
  CHECK(r.left_in_place == 1);
  CHECK_FALSE(after);
}

TEST_CASE("teardown: a fiber using main's mutex after main returned is misuse, not a crash",
          "[teardown][misuse]") {
  // Not a teardown: the worker still runs when main has returned, and locks
  // a mutex that died with main's frame. The tombstone names it.
  int line = 0;
  auto r = sim::run([&] {
    lockstep::Mutex mu;
    lockstep::go("late", [&] {
      line = __LINE__ + 1;
      mu.lock();
    });
  });
  CHECK(r.verdict == sim::Verdict::misuse);
  CHECK(r.message == fmt::format("misuse in fiber 2 \"late\" (spawned at {}): lockstep: use of mutex #1 "
                                 "after it was destroyed (a task outlived the scope that owned it) "
                                 "(in fiber 2 \"late\", at {})",
                                 here(line - 2), here(line)));
  CHECK(r.left_in_place == 0);
}

TEST_CASE("teardown: main's frame keeps its bytes for the fibers that outlive it",
          "[teardown][leak]") {
  // A std::mutex and a counter on main's stack, used by a leaked fiber's
  // destructors: main's stack is neither reused nor overwritten by the
  // scheduler until the run is over, so the bytes are main's last ones.
  int seen = -1;
  auto r = sim::run([&] {
    std::mutex plain;
    int counter = 41;
    lockstep::go("worker", [&] {
      std::lock_guard guard(plain);
      struct Read {
        int& counter;
        int& seen;
        ~Read() { seen = counter + 1; }
      } read{counter, seen};
      Chan<int>().recv();
    });
    lockstep::sim::wait();
    // Runnable when main returns: the scheduler must not run them from
    // main's stack, below its return, where its locals were.
    for (int i = 0; i < 4; ++i) lockstep::go([] { lockstep::yield(); });
  });
  CHECK(r.verdict == sim::Verdict::leak);
  CHECK(seen == 42);
  CHECK(r.left_in_place == 0);
}
