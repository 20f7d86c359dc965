// threads_bench: lockstep in real-thread mode beside the std:: equivalent, in
// the same binary and run. Wall-clock time; "cpu_per_item" is the CPU time of
// the whole process per item (all threads), so spinning shows up there.
//
//  1. Unbuffered channel ping-pong between two threads (main and a
//     goroutine): one round trip per item. Against a std::mutex +
//     std::condition_variable hand-off of one value each way. The argument
//     is the parker's spin (pause rounds before the futex; 0 by default).
//     Target: no slower than the mutex + condvar hand-off.
//  2. 8 producers x 8 consumers over a buffered channel of 64, per item,
//     against a mutex + two condvars bounded queue of 64 on 16 std::threads.
//  3. Goroutine spawn + exit, waiting for each (cached threads), against
//     std::thread create + join.
//  4. Mutex: N threads (2, 8, 32) each lock, increment, unlock; per lock,
//     against std::mutex.
#include <benchmark/benchmark.h>

#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

#include "bench/std_peers.hpp"
#include "lockstep.hpp"
#include "threads/parker.hpp"

namespace {

using lockstep::Chan;
using lockstep::bench::BoundedQueue;
using lockstep::bench::Slot;

constexpr int kItems = 20'000;

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Reports per-item wall time and process CPU per item.
class PerItem {
 public:
  explicit PerItem(benchmark::State& state) : state_(state), cpu_(process_cpu_seconds()) {}
  ~PerItem() {
    auto items = static_cast<double>(state_.iterations()) * items_;
    state_.counters["cpu_per_item"] =
        benchmark::Counter((process_cpu_seconds() - cpu_) / items, benchmark::Counter::kDefaults);
    state_.SetItemsProcessed(static_cast<std::int64_t>(items));
  }
  void items(double n) { items_ = n; }

 private:
  benchmark::State& state_;
  double cpu_;
  double items_ = 1;
};

void BM_PingPong_Lockstep(benchmark::State& state) {
  int spins = lockstep::threads::detail::Parker::spin_rounds;
  lockstep::threads::detail::Parker::spin_rounds = static_cast<int>(state.range(0));
  PerItem per(state);
  per.items(kItems);
  for (auto _ : state) {
    Chan<int> ping(0), pong(0);
    lockstep::go([=] {
      for (int v : ping) pong.send(v);
    });
    for (int i = 0; i < kItems; ++i) {
      ping.send(i);
      benchmark::DoNotOptimize(pong.recv());
    }
    ping.close();
  }
  lockstep::threads::detail::Parker::spin_rounds = spins;
}

void BM_PingPong_MutexCondvar(benchmark::State& state) {
  PerItem per(state);
  per.items(kItems);
  for (auto _ : state) {
    Slot ping, pong;
    std::thread echo([&] {
      for (int i = 0; i < kItems; ++i) pong.put(ping.take());
    });
    for (int i = 0; i < kItems; ++i) {
      ping.put(i);
      benchmark::DoNotOptimize(pong.take());
    }
    echo.join();
  }
}

constexpr int kMpmcItems = 200'000;

void BM_Mpmc8x8_Lockstep(benchmark::State& state) {
  PerItem per(state);
  per.items(kMpmcItems);
  for (auto _ : state) {
    Chan<int> ch(64);
    lockstep::WaitGroup producers, consumers;
    for (int p = 0; p < 8; ++p)
      producers.go([ch] {
        for (int i = 0; i < kMpmcItems / 8; ++i) ch.send(i);
      });
    for (int c = 0; c < 8; ++c)
      consumers.go([ch] {
        for (int v : ch) benchmark::DoNotOptimize(v);
      });
    producers.wait();
    ch.close();
    consumers.wait();
  }
}

void BM_Mpmc8x8_MutexCondvar(benchmark::State& state) {
  PerItem per(state);
  per.items(kMpmcItems);
  for (auto _ : state) {
    BoundedQueue q(64);
    std::vector<std::thread> producers, consumers;
    for (int p = 0; p < 8; ++p)
      producers.emplace_back([&] {
        for (int i = 0; i < kMpmcItems / 8; ++i) q.push(i);
      });
    for (int c = 0; c < 8; ++c)
      consumers.emplace_back([&] {
        for (int v; q.pop(v);) benchmark::DoNotOptimize(v);
      });
    for (auto& t : producers) t.join();
    q.close();
    for (auto& t : consumers) t.join();
  }
}

void BM_Spawn_Goroutine(benchmark::State& state) {
  PerItem per(state);
  for (auto _ : state) {
    lockstep::WaitGroup wg;
    wg.go([] {});
    wg.wait();
  }
}

void BM_Spawn_StdThread(benchmark::State& state) {
  PerItem per(state);
  for (auto _ : state) std::thread([] {}).join();
}

constexpr int kLocks = 200'000;

template <class M>
void mutex_contention(benchmark::State& state, M& mu) {
  PerItem per(state);
  per.items(kLocks);
  auto threads = static_cast<int>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(lockstep::bench::contend(mu, threads, kLocks));
}

void BM_Mutex_Lockstep(benchmark::State& state) {
  lockstep::Mutex mu;
  mutex_contention(state, mu);
}

void BM_Mutex_Std(benchmark::State& state) {
  std::mutex mu;
  mutex_contention(state, mu);
}

}  // namespace

BENCHMARK(BM_PingPong_Lockstep)->Arg(0)->Arg(100)->Arg(1000)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PingPong_MutexCondvar)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Mpmc8x8_Lockstep)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Mpmc8x8_MutexCondvar)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Spawn_Goroutine)->UseRealTime();
BENCHMARK(BM_Spawn_StdThread)->UseRealTime();
BENCHMARK(BM_Mutex_Lockstep)->Arg(2)->Arg(8)->Arg(32)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Mutex_Std)->Arg(2)->Arg(8)->Arg(32)->UseRealTime()->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
