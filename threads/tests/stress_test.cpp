// Real-thread stress: every primitive under contention on OS threads, each
// with a bounded count and an exact pass criterion (nothing lost, nothing
// twice, a bound never exceeded). Under ThreadSanitizer the counts shrink
// tenfold: TSan is slow, and the races it looks for need few iterations.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <vector>

#include "lockstep.hpp"

using lockstep::Chan;
using lockstep::LeakCheck;

namespace {

#if defined(__SANITIZE_THREAD__)
constexpr int kScale = 10;
#else
constexpr int kScale = 1;
#endif

// Seen: how many times each item arrived; exactly once is the criterion.
class Seen {
 public:
  explicit Seen(std::size_t n) : counts_(n) {}
  void add(std::size_t item) { counts_.at(item).fetch_add(1, std::memory_order_relaxed); }
  bool each_exactly_once() const {
    return std::all_of(counts_.begin(), counts_.end(), [](const auto& c) { return c.load() == 1; });
  }

 private:
  std::vector<std::atomic<int>> counts_;
};

// mpmc() sends `per_producer` items from each producer over `ch` to the
// consumers and checks each arrived exactly once.
void mpmc(Chan<int> ch, int producers, int consumers, int per_producer) {
  LeakCheck leaks;
  Seen seen(static_cast<std::size_t>(producers * per_producer));
  lockstep::WaitGroup sent, received;
  for (int p = 0; p < producers; ++p)
    sent.go([=] {
      for (int i = 0; i < per_producer; ++i) ch.send(p * per_producer + i);
    });
  for (int c = 0; c < consumers; ++c)
    received.go([&seen, ch] {
      for (int v : ch) seen.add(static_cast<std::size_t>(v));
    });
  sent.wait();
  ch.close();
  received.wait();
  CHECK(seen.each_exactly_once());
  leaks.verify();
}

}  // namespace

TEST_CASE("stress: 8 producers x 8 consumers over a buffered channel, each item once", "[real][stress]") {
  mpmc(Chan<int>(64), 8, 8, 100'000 / kScale);
}

TEST_CASE("stress: 8 producers x 8 consumers over an unbuffered channel, each item once", "[real][stress]") {
  mpmc(Chan<int>(0), 8, 8, 20'000 / kScale);
}

TEST_CASE("stress: select fan-in from 4 channels under contention, each item once", "[real][stress][select]") {
  LeakCheck leaks;
  constexpr int kPer = 50'000 / kScale;
  std::vector<Chan<int>> inputs;
  for (int i = 0; i < 4; ++i) inputs.emplace_back(i % 2 == 0 ? 0 : 16);
  lockstep::WaitGroup producers;
  for (int p = 0; p < 4; ++p)
    producers.go([in = inputs[static_cast<std::size_t>(p)], p] {
      for (int i = 0; i < kPer; ++i) in.send(p * kPer + i);
      in.close();
    });
  Seen seen(4 * kPer);
  lockstep::WaitGroup consumers;
  for (int c = 0; c < 3; ++c)  // several selects over the same channels
    consumers.go([&seen, inputs] {
      std::vector<lockstep::RecvChan<int>> open(inputs.begin(), inputs.end());
      int closed = 0;
      while (closed < 4) {
        auto take = [&](std::size_t i) {
          return [&, i](std::optional<int> v) {
            if (v) {
              seen.add(static_cast<std::size_t>(*v));
            } else if (!open[i].is_nil()) {
              open[i] = {};  // closed: a nil channel's case never fires
              ++closed;
            }
          };
        };
        lockstep::select(lockstep::on_recv(open[0], take(0)), lockstep::on_recv(open[1], take(1)),
                         lockstep::on_recv(open[2], take(2)), lockstep::on_recv(open[3], take(3)));
      }
    });
  producers.wait();
  consumers.wait();
  CHECK(seen.each_exactly_once());
  leaks.verify();
}

TEST_CASE("stress: two selects over the same channels in opposite order never deadlock",
          "[real][stress][select]") {
  // Proves select's lock ordering: each side locks both channels, in an
  // order both agree on, whatever order its cases are written in.
  LeakCheck leaks;
  constexpr int kRounds = 50'000 / kScale;
  Chan<int> a(0), b(0);
  lockstep::Atomic<int> done_a, done_b;
  lockstep::WaitGroup wg;
  wg.go([=, &done_a] {
    for (int i = 0; i < kRounds; ++i)
      lockstep::select(lockstep::on_send(a, i, [&] { done_a.fetch_add(1); }), lockstep::on_recv(b));
  });
  wg.go([=, &done_b] {
    for (int i = 0; i < kRounds; ++i)
      lockstep::select(lockstep::on_send(b, i, [&] { done_b.fetch_add(1); }), lockstep::on_recv(a));
  });
  wg.wait();
  // Each round one side sent and the other received: the sends add up.
  CHECK(done_a.load() + done_b.load() == kRounds);
  leaks.verify();
}

TEST_CASE("stress: a Mutex-protected counter loses no increment", "[real][stress][mutex]") {
  LeakCheck leaks;
  constexpr int kPer = 100'000 / kScale;
  lockstep::Mutex mu;
  long counter = 0;
  lockstep::WaitGroup wg;
  for (int g = 0; g < 8; ++g)
    wg.go([&] {
      for (int i = 0; i < kPer; ++i) {
        std::lock_guard lock(mu);
        ++counter;
      }
    });
  wg.wait();
  CHECK(counter == 8L * kPer);
  leaks.verify();
}

TEST_CASE("stress: a Cond-based bounded queue delivers each job once", "[real][stress][cond]") {
  LeakCheck leaks;
  constexpr int kPer = 20'000 / kScale;
  constexpr std::size_t kCapacity = 8;
  lockstep::Mutex mu;
  lockstep::Cond not_empty(mu), not_full(mu);
  std::deque<int> queue;
  int producers_left = 4;
  Seen seen(4 * kPer);
  lockstep::WaitGroup wg;
  for (int p = 0; p < 4; ++p)
    wg.go([&, p] {
      for (int i = 0; i < kPer; ++i) {
        std::lock_guard lock(mu);
        while (queue.size() == kCapacity) not_full.wait();
        queue.push_back(p * kPer + i);
        not_empty.signal();
      }
      std::lock_guard lock(mu);
      if (--producers_left == 0) not_empty.broadcast();  // a state change: wake every consumer
    });
  for (int c = 0; c < 4; ++c)
    wg.go([&] {
      for (;;) {
        std::unique_lock lock(mu);
        while (queue.empty() && producers_left > 0) not_empty.wait();
        if (queue.empty()) return;
        int job = queue.front();
        queue.pop_front();
        not_full.signal();
        lock.unlock();
        seen.add(static_cast<std::size_t>(job));
      }
    });
  wg.wait();
  CHECK(seen.each_exactly_once());
  leaks.verify();
}

TEST_CASE("stress: an ErrGroup limit is never exceeded", "[real][stress][errgroup]") {
  LeakCheck leaks;
  constexpr int kLimit = 3;
  lockstep::ErrGroup group;
  group.set_limit(kLimit);
  lockstep::Atomic<int> active, high_water, ran;
  for (int i = 0; i < 2000 / kScale; ++i)
    group.go([&] {
      int now = active.fetch_add(1) + 1;
      for (int seen = high_water.load(); now > seen && !high_water.compare_exchange(seen, now);) {
      }
      lockstep::yield();
      ran.fetch_add(1);
      active.fetch_sub(1);
    });
  CHECK(group.wait() == nullptr);
  CHECK(ran.load() == 2000 / kScale);
  CHECK(high_water.load() <= kLimit);
  CHECK(high_water.load() >= 1);
  leaks.verify();
}

TEST_CASE("stress: RWMutex readers never see a half-done write", "[real][stress][rwmutex]") {
  LeakCheck leaks;
  lockstep::RWMutex rw;
  long a = 0, b = 0;
  std::atomic<bool> torn{false};
  lockstep::WaitGroup wg;
  for (int w = 0; w < 2; ++w)
    wg.go([&] {
      for (int i = 0; i < 20'000 / kScale; ++i) {
        rw.lock();
        ++a;
        ++b;
        rw.unlock();
      }
    });
  for (int r = 0; r < 6; ++r)
    wg.go([&] {
      for (int i = 0; i < 20'000 / kScale; ++i) {
        rw.rlock();
        if (a != b) torn = true;
        rw.runlock();
      }
    });
  wg.wait();
  CHECK_FALSE(torn.load());
  CHECK(a == 2L * 20'000 / kScale);
  leaks.verify();
}

TEST_CASE("stress: a weighted Semaphore never hands out more than its size", "[real][stress][semaphore]") {
  LeakCheck leaks;
  lockstep::Semaphore sem(5);
  lockstep::Atomic<std::int64_t> held, high_water;
  lockstep::WaitGroup wg;
  for (int g = 0; g < 8; ++g)
    wg.go([&, g] {
      std::int64_t n = 1 + g % 3;
      for (int i = 0; i < 5'000 / kScale; ++i) {
        sem.acquire(n);
        std::int64_t now = held.fetch_add(n) + n;
        for (auto seen = high_water.load(); now > seen && !high_water.compare_exchange(seen, now);) {
        }
        held.fetch_sub(n);
        sem.release(n);
      }
    });
  wg.wait();
  CHECK(high_water.load() <= 5);
  CHECK(held.load() == 0);
  leaks.verify();
}

TEST_CASE("stress: Once runs its function once for 16 racing callers, all after it", "[real][stress][once]") {
  LeakCheck leaks;
  for (int round = 0; round < 200 / kScale; ++round) {
    lockstep::Once once;
    lockstep::Atomic<int> runs, saw_done;
    lockstep::WaitGroup wg;
    for (int g = 0; g < 16; ++g)
      wg.go([&] {
        once.call([&] { runs.fetch_add(1); });
        if (runs.load() == 1) saw_done.fetch_add(1);
      });
    wg.wait();
    REQUIRE(runs.load() == 1);
    REQUIRE(saw_done.load() == 16);
  }
  leaks.verify();
}

TEST_CASE("stress: cancelling a context wakes every waiter", "[real][stress][context]") {
  LeakCheck leaks;
  for (int round = 0; round < 100 / kScale; ++round) {
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    lockstep::WaitGroup wg;
    lockstep::Atomic<int> woken;
    for (int g = 0; g < 16; ++g)
      wg.go([&, ctx] {
        ctx.done().recv();
        woken.fetch_add(1);
      });
    cancel();
    wg.wait();
    REQUIRE(woken.load() == 16);
  }
  leaks.verify();
}

TEST_CASE("stress: Mutex lock(ctx) under contention, with cancellations, counts exactly",
          "[real][stress][mutex]") {
  // Proves the real-thread wake-to-compete path with contexts: a waiter
  // cancelled while it is out of the queue (woken, about to compete) still
  // returns its error instead of sleeping on, and holds nothing.
  LeakCheck leaks;
  lockstep::Mutex mu;
  long counter = 0;
  lockstep::Atomic<long> acquired;
  lockstep::WaitGroup wg;
  for (int g = 0; g < 8; ++g)
    wg.go([&, g] {
      for (int i = 0; i < 5'000 / kScale; ++i) {
        auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
        if ((i + g) % 5 == 0) lockstep::go([cancel = cancel] { cancel(); });
        if (mu.lock(ctx) != nullptr) continue;  // cancelled: not held
        ++counter;
        acquired.fetch_add(1);
        mu.unlock();
        cancel();
      }
    });
  wg.wait();
  CHECK(counter == acquired.load());
  CHECK(acquired.load() > 0);
  CHECK(mu.try_lock());
  mu.unlock();
  leaks.verify();
}
