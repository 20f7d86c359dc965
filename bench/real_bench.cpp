// real_bench: lockstep's real mode (outside any simulation) beside plain
// std::thread, through the public API only, so the same binary measures
// whichever real-mode runtime the process runs on. bench/go/ holds the Go
// twins of every figure; bench/compare.py runs both and prints the ratios
// (bench/README.md).
//
// Each benchmark is named FIGURE/IMPL (IMPL: lockstep or std_thread) and
// reports "per_item", the wall time per item (per_item=350n is 350 ns), and
// "cpu_per_item", the whole process's CPU time per item (spinning shows).
//
//   pingpong_unbuffered  two goroutines bounce a value over two unbuffered
//                        channels; item: one round trip. std_thread: two
//                        threads, a mutex + condvar one-slot hand-off each way.
//   spawn_wave1000       go() 1,000 goroutines that do nothing, join them with
//                        a WaitGroup, repeat; item: one goroutine (spawn, run,
//                        exit, join). std_thread: create 1,000, join them.
//   chan64_1p1c          one producer goroutine sends 100,000 ints through a
//                        channel of capacity 64 to one consumer goroutine;
//                        item: one value. std_thread: a mutex + two condvars
//                        queue of 64 between two threads.
//   chan64_8p8c          the same with 8 producers and 8 consumers, 200,000
//                        values in all.
//   mutex_N              N goroutines (2, 8, 32) share 200,000 lock,
//                        increment, unlock rounds; item: one round.
//                        std_thread: std::mutex on N threads.
//
// Blocked goroutines (memory and wake-up of 10k-1M parked goroutines) are
// measured by bench/blocked_goroutines.cpp, one process per count.
//
// The lockstep bodies run in a goroutine of their own, as a Go benchmark's
// loop runs in a goroutine: under the M:N runtime, go() from a goroutine
// queues on its own worker, from main it goes through the global queue, and
// main is then one more thread competing for the cores.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <ctime>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/std_peers.hpp"
#include "lockstep.hpp"

namespace {

using lockstep::Chan;
using lockstep::WaitGroup;
using lockstep::bench::BoundedQueue;
using lockstep::bench::Slot;

constexpr std::size_t kCapacity = 64;

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Measure(state, items) runs `body` once per iteration, each doing `items`
// items, and sets the per_item and cpu_per_item counters.
void measure(benchmark::State& state, std::int64_t items, const std::function<void()>& body) {
  const double cpu = process_cpu_seconds();
  for (auto _ : state) body();
  const auto total = static_cast<double>(state.iterations()) * static_cast<double>(items);
  state.counters["per_item"] =
      benchmark::Counter(total, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["cpu_per_item"] = benchmark::Counter((process_cpu_seconds() - cpu) / total);
  state.SetItemsProcessed(static_cast<std::int64_t>(total));
}

// in_goroutine() runs `body` in a goroutine and waits for it.
template <class F>
void in_goroutine(F body) {
  Chan<int> done(0);
  lockstep::go([&body, done] {
    body();
    done.send(0);
  });
  done.recv();
}

constexpr int kRoundTrips = 5'000;

void pingpong_lockstep(benchmark::State& state) {
  measure(state, kRoundTrips, [] { in_goroutine([] {
    Chan<int> ping(0), pong(0);
    WaitGroup wg;
    wg.go([=] {
      for (int v : ping) pong.send(v);
    });
    wg.go([=] {
      for (int i = 0; i < kRoundTrips; ++i) {
        ping.send(i);
        benchmark::DoNotOptimize(pong.recv());
      }
      ping.close();
    });
    wg.wait();
  }); });
}

void pingpong_std_thread(benchmark::State& state) {
  measure(state, kRoundTrips, [] {
    Slot ping, pong;
    std::thread echo([&] {
      for (int i = 0; i < kRoundTrips; ++i) pong.put(ping.take());
    });
    std::thread client([&] {
      for (int i = 0; i < kRoundTrips; ++i) {
        ping.put(i);
        benchmark::DoNotOptimize(pong.take());
      }
    });
    client.join();
    echo.join();
  });
}

constexpr int kWave = 1'000;

void spawn_wave_lockstep(benchmark::State& state) {
  measure(state, kWave, [] {
    in_goroutine([] {
      WaitGroup wg;
      for (int i = 0; i < kWave; ++i) wg.go([] {});
      wg.wait();
    });
  });
}

void spawn_wave_std_thread(benchmark::State& state) {
  measure(state, kWave, [] {
    std::vector<std::thread> wave;
    wave.reserve(kWave);
    for (int i = 0; i < kWave; ++i) wave.emplace_back([] {});
    for (auto& t : wave) t.join();
  });
}

// The channel throughput figures: `producers` send `items` values in all.
void chan_lockstep(benchmark::State& state, int producers, int consumers, int items) {
  measure(state, items, [=] { in_goroutine([=] {
    Chan<int> ch(kCapacity);
    WaitGroup sending, receiving;
    for (int p = 0; p < producers; ++p)
      sending.go([=] {
        for (int i = 0; i < items / producers; ++i) ch.send(i);
      });
    for (int c = 0; c < consumers; ++c)
      receiving.go([=] {
        for (int v : ch) benchmark::DoNotOptimize(v);
      });
    sending.wait();
    ch.close();
    receiving.wait();
  }); });
}

void chan_std_thread(benchmark::State& state, int producers, int consumers, int items) {
  measure(state, items, [=] {
    BoundedQueue q(kCapacity);
    std::vector<std::thread> sending, receiving;
    for (int p = 0; p < producers; ++p)
      sending.emplace_back([&] {
        for (int i = 0; i < items / producers; ++i) q.push(i);
      });
    for (int c = 0; c < consumers; ++c)
      receiving.emplace_back([&] {
        for (int v; q.pop(v);) benchmark::DoNotOptimize(v);
      });
    for (auto& t : sending) t.join();
    q.close();
    for (auto& t : receiving) t.join();
  });
}

constexpr int kLocks = 200'000;

void mutex_lockstep(benchmark::State& state, int goroutines) {
  measure(state, kLocks, [=] { in_goroutine([=] {
    lockstep::Mutex mu;
    long counter = 0;
    WaitGroup wg;
    for (int g = 0; g < goroutines; ++g)
      wg.go([&] {
        for (int i = 0; i < kLocks / goroutines; ++i) {
          std::lock_guard lock(mu);
          ++counter;
        }
      });
    wg.wait();
    benchmark::DoNotOptimize(counter);
  }); });
}

void mutex_std_thread(benchmark::State& state, int threads) {
  measure(state, kLocks, [=] {
    std::mutex mu;
    benchmark::DoNotOptimize(lockstep::bench::contend(mu, threads, kLocks));
  });
}

void add(const std::string& name, const std::function<void(benchmark::State&)>& fn,
         benchmark::TimeUnit unit = benchmark::kMillisecond) {
  benchmark::RegisterBenchmark(name.c_str(), fn)->UseRealTime()->Unit(unit);
}

void register_all() {
  add("pingpong_unbuffered/lockstep", pingpong_lockstep);
  add("pingpong_unbuffered/std_thread", pingpong_std_thread);
  add("spawn_wave1000/lockstep", spawn_wave_lockstep);
  add("spawn_wave1000/std_thread", spawn_wave_std_thread);
  add("chan64_1p1c/lockstep", [](auto& s) { chan_lockstep(s, 1, 1, 100'000); });
  add("chan64_1p1c/std_thread", [](auto& s) { chan_std_thread(s, 1, 1, 100'000); });
  add("chan64_8p8c/lockstep", [](auto& s) { chan_lockstep(s, 8, 8, 200'000); });
  add("chan64_8p8c/std_thread", [](auto& s) { chan_std_thread(s, 8, 8, 200'000); });
  for (int n : {2, 8, 32}) {
    add("mutex_" + std::to_string(n) + "/lockstep", [n](auto& s) { mutex_lockstep(s, n); });
    add("mutex_" + std::to_string(n) + "/std_thread", [n](auto& s) { mutex_std_thread(s, n); });
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
