// One test body, two runtimes: timing-free bodies that run in a simulation
// and then on real threads, from the same source (run_both). The channel,
// select, context, ErrGroup, Mutex and Once bodies sit with their
// primitives' tests, tagged [both]; these cover the rest of the vocabulary.
#include <mutex>

#include "primitives/tests/support.hpp"

using lockstep::Chan;
using lockstep::test::run_both;

TEST_CASE("both: a WaitGroup waits for every goroutine", "[both][waitgroup]") {
  run_both([] {
    lockstep::WaitGroup wg;
    lockstep::Atomic<int> done;
    for (int i = 0; i < 10; ++i) wg.go([&] { done.fetch_add(1); });
    wg.wait();
    CHECK(done.load() == 10);
  });
}

TEST_CASE("both: Cond hands one job per signal and wakes all on broadcast", "[both][cond]") {
  run_both([] {
    lockstep::Mutex mu;
    lockstep::Cond ready(mu);
    int jobs = 0, taken = 0;
    bool closing = false;
    lockstep::WaitGroup workers;
    for (int w = 0; w < 3; ++w)
      workers.go([&] {
        std::unique_lock lock(mu);
        for (;;) {
          while (jobs == 0 && !closing) ready.wait();  // the re-check loop
          if (jobs == 0) return;
          --jobs;
          ++taken;
        }
      });
    for (int i = 0; i < 5; ++i) {
      std::lock_guard lock(mu);
      ++jobs;
      ready.signal();
    }
    {
      std::lock_guard lock(mu);
      closing = true;
      ready.broadcast();
    }
    workers.wait();
    CHECK(taken == 5);
  });
}

TEST_CASE("both: RWMutex admits readers together and a writer alone", "[both][rwmutex]") {
  run_both([] {
    lockstep::RWMutex rw;
    rw.rlock();
    rw.rlock();  // readers share it
    CHECK_FALSE(rw.try_lock());
    Chan<int> wrote(1);
    lockstep::go([&rw, wrote] {
      rw.lock();  // waits for both readers
      wrote.send(1);
      rw.unlock();
    });
    rw.runlock();
    rw.runlock();
    CHECK(wrote.recv() == 1);
    rw.lock();
    rw.unlock();
  });
}

TEST_CASE("both: a Semaphore admits waiters as units come back", "[both][semaphore]") {
  run_both([] {
    lockstep::Semaphore sem(3);
    sem.acquire(3);
    CHECK_FALSE(sem.try_acquire(1));
    Chan<int> got(2);
    for (int i = 0; i < 2; ++i)
      lockstep::go([&sem, got] {
        sem.acquire(1);
        got.send(1);
      });
    sem.release(3);
    CHECK(got.recv() == 1);
    CHECK(got.recv() == 1);
    sem.release(2);
    CHECK(sem.try_acquire(3));
    sem.release(3);
  });
}

TEST_CASE("both: Atomic read-modify-write from many goroutines", "[both][atomic]") {
  run_both([] {
    lockstep::Atomic<long> total;
    lockstep::WaitGroup wg;
    for (int g = 0; g < 8; ++g)
      wg.go([&] {
        for (int i = 0; i < 100; ++i) total.fetch_add(1);
      });
    wg.wait();
    long expected = 800;
    CHECK(total.compare_exchange(expected, 0));
    CHECK(total.load() == 0);
  });
}

TEST_CASE("both: Once runs f once while the other callers wait for it", "[both][once]") {
  run_both([] {
    lockstep::Once once;
    int runs = 0;
    lockstep::WaitGroup wg;
    for (int g = 0; g < 4; ++g) wg.go([&] { once.call([&] { ++runs; }); });
    wg.wait();
    CHECK(runs == 1);
    CHECK(once.done());
  });
}

TEST_CASE("both: an ErrGroup returns the first error and cancels its context", "[both][errgroup]") {
  run_both([] {
    auto [group, ctx] = lockstep::ErrGroup::with_context(lockstep::background());
    group.go([] { throw std::runtime_error("parcel 9 not found"); });
    group.go([ctx = ctx] { ctx.done().recv(); });  // stops when the first error cancels
    lockstep::Error err = group.wait();
    CHECK(lockstep::error_message(err) == "parcel 9 not found");
    CHECK(lockstep::is_canceled(ctx.err()));
  });
}
