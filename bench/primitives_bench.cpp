// primitives_bench: lockstep's channels and mutex in a simulation, each beside
// Boost.Fiber's equivalent in the same binary so that both see the same
// (noisy, 2-core) machine at the same time.
//
//  1. Unbuffered channel ping-pong: main sends on `ping`, a second fiber
//     receives and sends the value back on `pong`; one round trip per
//     iteration. lockstep::Chan<int>(0) vs boost::fibers::unbuffered_channel.
//     Target: lockstep <= 75 ns per round trip.
//  2. Buffered channel of capacity 64, one producer fiber, main consuming;
//     one item per iteration. lockstep::Chan<int>(64) vs
//     boost::fibers::buffered_channel<int>(64), which holds 63 (one slot stays
//     free to tell full from empty). Target: lockstep <= 20 ns per item.
//  3. Mutex. Uncontended: lock + unlock pairs in one fiber (per pair).
//     Contended: N fibers (the argument: 2, 10, 100) each loop lock, yield,
//     unlock, so the lock changes hands at every yield; time per lock
//     acquisition, kContended acquisitions in all per iteration, fiber spawns
//     and joins included (under 0.1% of it). lockstep::Mutex hands the lock
//     to the longest waiter (FIFO); boost::fibers::mutex only wakes one
//     waiter, which must then race for it: whoever runs first takes it.
//     "handoff_share" is the fraction of acquisitions by another fiber than
//     the previous one (1 when the lock changes hands every time).
//     Target: lockstep faster than Boost.Fiber.
//
// "per_item" reads as time per round trip / item / lock acquisition
// (per_item=45n is 45 ns). Simulations here raise livelock_steps: these loops
// never move virtual time, which is what that limit is there to catch.
//
// Boost.Context saves and restores MXCSR on every switch, sticky exception
// flags included, and a new fiber starts with its creator's. The benchmark
// loop's first floating-point operation sets the inexact flag on main's side
// only, and on this machine a bare switch pair between two different MXCSR
// values costs ~145 ns instead of ~10 ns. Every benchmark here raises the flag
// before creating fibers, so all sides match, as in any warmed-up process.
#include <benchmark/benchmark.h>
#include <xmmintrin.h>

#include <boost/fiber/all.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "lockstep.hpp"

namespace {

namespace fibers = boost::fibers;
namespace sim = lockstep::sim;

constexpr std::int64_t kRoundTrips = 1'000'000;
constexpr std::int64_t kBufferedItems = 4'000'000;
constexpr std::size_t kCapacity = 64;
constexpr std::int64_t kPairs = 10'000'000;
constexpr std::int64_t kContended = 600'000;  // acquisitions per iteration, divisible by 2, 10, 100

void count_per_item(benchmark::State& state, std::int64_t items_per_iteration) {
  auto items = static_cast<double>(state.iterations() * items_per_iteration);
  state.SetItemsProcessed(state.iterations() * items_per_iteration);
  state.counters["per_item"] =
      benchmark::Counter(items, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

sim::Options bench_options() {
  sim::Options options;
  options.livelock_steps = std::numeric_limits<std::uint64_t>::max();
  return options;
}

// run_sim() runs `root` as the main fiber; any verdict but passed fails the benchmark.
template <class F>
void run_sim(benchmark::State& state, F&& root) {
  sim::Report report = sim::run(std::forward<F>(root), bench_options());
  if (!report.passed()) state.SkipWithError(report.message.c_str());
}

void match_fp_flags() { _mm_setcsr(_mm_getcsr() | _MM_EXCEPT_INEXACT); }

// ---- 1. unbuffered ping-pong -------------------------------------------------

void BM_PingPong_Lockstep(benchmark::State& state) {
  match_fp_flags();
  std::int64_t sum = 0;
  run_sim(state, [&state, &sum] {
    lockstep::Chan<int> ping(0), pong(0);
    lockstep::go([ping, pong] {
      for (int v : ping) pong.send(v + 1);  // ends when main closes ping
    });
    int i = 0;
    for (auto _ : state) {
      ping.send(i++);
      sum += *pong.recv();
    }
    ping.close();
  });
  std::int64_t n = state.iterations();
  if (sum != n * (n + 1) / 2) state.SkipWithError("wrong values came back");
  count_per_item(state, 1);
}

void BM_PingPong_BoostFiber(benchmark::State& state) {
  match_fp_flags();
  fibers::unbuffered_channel<int> ping, pong;
  fibers::fiber other{[&ping, &pong] {
    int v = 0;
    while (ping.pop(v) == fibers::channel_op_status::success) pong.push(v + 1);
  }};
  std::int64_t sum = 0;
  int i = 0;
  for (auto _ : state) {
    ping.push(i++);
    int v = 0;
    pong.pop(v);
    sum += v;
  }
  ping.close();
  other.join();
  std::int64_t n = state.iterations();
  if (sum != n * (n + 1) / 2) state.SkipWithError("wrong values came back");
  count_per_item(state, 1);
}

// ---- 2. buffered channel, one producer, one consumer ---------------------------

// The producer sends 0, 1, 2, ... (one per iteration); main receives them.
void BM_Buffered_Lockstep(benchmark::State& state) {
  match_fp_flags();
  std::int64_t items = state.max_iterations;
  std::int64_t sum = 0;
  run_sim(state, [&state, &sum, items] {
    lockstep::Chan<std::int64_t> ch(kCapacity);
    lockstep::go([ch, items] {
      for (std::int64_t i = 0; i < items; ++i) ch.send(i);
      ch.close();
    });
    for (auto _ : state) sum += *ch.recv();
    if (ch.recv()) state.SkipWithError("the producer sent too much");
  });
  if (sum != items * (items - 1) / 2) state.SkipWithError("wrong values arrived");
  count_per_item(state, 1);
}

void BM_Buffered_BoostFiber(benchmark::State& state) {
  match_fp_flags();
  std::int64_t items = state.max_iterations;
  fibers::buffered_channel<std::int64_t> ch(kCapacity);
  fibers::fiber producer{[&ch, items] {
    for (std::int64_t i = 0; i < items; ++i) ch.push(i);
    ch.close();
  }};
  std::int64_t sum = 0;
  for (auto _ : state) {
    std::int64_t v = 0;
    ch.pop(v);
    sum += v;
  }
  std::int64_t extra = 0;
  if (ch.pop(extra) != fibers::channel_op_status::closed) state.SkipWithError("the producer sent too much");
  producer.join();
  if (sum != items * (items - 1) / 2) state.SkipWithError("wrong values arrived");
  count_per_item(state, 1);
}

// ---- 3. mutex ------------------------------------------------------------------

void BM_MutexUncontended_Lockstep(benchmark::State& state) {
  match_fp_flags();
  run_sim(state, [&state] {
    lockstep::Mutex mu;
    for (auto _ : state) {
      mu.lock();
      mu.unlock();
    }
  });
  count_per_item(state, 1);
}

void BM_MutexUncontended_BoostFiber(benchmark::State& state) {
  match_fp_flags();
  fibers::mutex mu;
  for (auto _ : state) {
    mu.lock();
    mu.unlock();
  }
  count_per_item(state, 1);
}

// What the contended workers share: the count of acquisitions, how many
// changed hands, and a check that the lock excludes.
struct Contention {
  std::int64_t acquisitions = 0;
  std::int64_t handoffs = 0;
  std::int64_t last = -1;  // the worker that took the lock last
  bool inside = false;
  bool overlapped = false;

  void enter(std::int64_t worker) {
    overlapped = overlapped || inside;
    inside = true;
    ++acquisitions;
    if (worker != last) ++handoffs;
    last = worker;
  }
  void leave() { inside = false; }

  void report(benchmark::State& state, std::int64_t per_iteration) {
    if (overlapped) state.SkipWithError("two fibers held the mutex at once");
    if (acquisitions != state.iterations() * per_iteration) state.SkipWithError("acquisitions went missing");
    state.counters["handoff_share"] = static_cast<double>(handoffs) / static_cast<double>(acquisitions);
    count_per_item(state, per_iteration);
  }
};

void BM_MutexContended_Lockstep(benchmark::State& state) {
  match_fp_flags();
  const std::int64_t n = state.range(0);
  const std::int64_t rounds = kContended / n;  // per fiber
  Contention c;
  run_sim(state, [&state, &c, n, rounds] {
    lockstep::Mutex mu;
    for (auto _ : state) {
      for (std::int64_t f = 0; f < n; ++f)
        lockstep::go([&mu, &c, rounds, f] {
          for (std::int64_t r = 0; r < rounds; ++r) {
            mu.lock();
            c.enter(f);
            lockstep::yield();
            c.leave();
            mu.unlock();
          }
        });
      sim::wait();  // every worker has exited
    }
  });
  c.report(state, n * rounds);
}

void BM_MutexContended_BoostFiber(benchmark::State& state) {
  match_fp_flags();
  const std::int64_t n = state.range(0);
  const std::int64_t rounds = kContended / n;
  Contention c;
  fibers::mutex mu;
  std::vector<fibers::fiber> workers;
  workers.reserve(static_cast<std::size_t>(n));
  for (auto _ : state) {
    for (std::int64_t f = 0; f < n; ++f)
      workers.emplace_back([&mu, &c, rounds, f] {
        for (std::int64_t r = 0; r < rounds; ++r) {
          mu.lock();
          c.enter(f);
          boost::this_fiber::yield();
          c.leave();
          mu.unlock();
        }
      });
    for (auto& w : workers) w.join();
    workers.clear();
  }
  c.report(state, n * rounds);
}

BENCHMARK(BM_PingPong_Lockstep)->Iterations(kRoundTrips);
BENCHMARK(BM_PingPong_BoostFiber)->Iterations(kRoundTrips);

BENCHMARK(BM_Buffered_Lockstep)->Iterations(kBufferedItems);
BENCHMARK(BM_Buffered_BoostFiber)->Iterations(kBufferedItems);

BENCHMARK(BM_MutexUncontended_Lockstep)->Iterations(kPairs);
BENCHMARK(BM_MutexUncontended_BoostFiber)->Iterations(kPairs);

BENCHMARK(BM_MutexContended_Lockstep)->ArgName("fibers")->Arg(2)->Arg(10)->Arg(100)->Iterations(2);
BENCHMARK(BM_MutexContended_BoostFiber)->ArgName("fibers")->Arg(2)->Arg(10)->Arg(100)->Iterations(2);

}  // namespace

BENCHMARK_MAIN();
