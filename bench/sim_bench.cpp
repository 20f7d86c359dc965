// sim_bench: the simulator's three hot paths, each beside its peer in the same
// binary so that both see the same (noisy, 2-core) machine at the same time.
//
//  1. Yield round trip (each of two fibers yields once): lockstep::yield in a
//     simulation vs a raw boost::context::fiber switch pair (the floor: two
//     context switches and nothing else), the same pair with each switch
//     inside a function call as a yield() is (BoostContextCall: the floor for
//     a switch behind a call, see below), and Boost.Fiber's
//     this_fiber::yield. Target: lockstep <= 2x raw Boost.Context.
//  2. Spawn + run + exit, waves of 1,000 fibers, 1,000 waves (1M fibers) per
//     run: lockstep::go + sim::wait vs Boost.Fiber with pooled stacks, joining
//     each wave. The argument is the stack size in KiB (lockstep's default is
//     64). Target: lockstep <= 100 ns per fiber.
//  3. 1M virtual timers with random deadlines, pushed then all fired: the
//     TimerHeap alone, the same through the runtime seam inside sim::run
//     (add_timer, then sleep past the last deadline), and as the baseline a
//     std::priority_queue of what a timer needs to fire (its deadline and its
//     node). "Fired" is the same call in both: node.fire(node), which counts.
//     Target: TimerHeap <= 0.7x std::priority_queue. Also a priority_queue of
//     bare deadlines that fires nothing: the first baseline, a floor.
//  4. Teardown: 10,000 fibers spawned, each parked for good (an unbuffered
//     channel's receive or a held Mutex's lock), then main blocks too and
//     the run tears them down (a deadlock verdict). per_item is spawn + park
//     + teardown per fiber; teardown_ns is the verdict and teardown alone
//     (from main's last park to sim::run's return), wall time per fiber. No
//     peer: this is the before/after figure of a park's leave
//     (runtime/seam.hpp), which spares the unwinder a catch-and-rethrow in
//     the primitive per fiber.
//
// "per_item" reads as time per fiber / per timer (per_item=95n is 95 ns).
// Simulations here raise livelock_steps: a 5M-round-trip yield loop never
// moves virtual time, which is what that limit is there to catch.
//
// Boost.Context saves and restores MXCSR on every switch, sticky exception
// flags included, and a new fiber starts with its creator's. The benchmark
// loop's first floating-point operation sets the inexact flag on main's side
// only, and on this machine a bare switch pair between two different MXCSR
// values costs ~145 ns instead of ~10 ns. The yield benchmarks raise the flag
// before creating fibers, so both sides match, as in any warmed-up process.
#include <benchmark/benchmark.h>
#include <xmmintrin.h>

#include <boost/context/fiber.hpp>
#include <boost/fiber/all.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <queue>
#include <random>
#include <utility>
#include <vector>

#include "lockstep.hpp"
#include "runtime/timer_heap.hpp"

namespace {

namespace ctx = boost::context;
namespace sim = lockstep::sim;
using lockstep::Duration;
using lockstep::TimePoint;
using lockstep::detail::TimerNode;

constexpr std::int64_t kWave = 1000;
constexpr std::int64_t kWaves = 1000;
constexpr std::size_t kTimers = 1'000'000;
constexpr Duration kLatestDeadline = std::chrono::hours(1);

void count_per_item(benchmark::State& state, std::int64_t items_per_iteration) {
  auto items = static_cast<double>(state.iterations() * items_per_iteration);
  state.SetItemsProcessed(state.iterations() * items_per_iteration);
  state.counters["per_item"] =
      benchmark::Counter(items, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

sim::Options bench_options(std::size_t stack_kib = 64, bool record_decisions = true) {
  sim::Options options;
  options.stack_size = stack_kib * 1024;
  options.record_decisions = record_decisions;
  options.livelock_steps = std::numeric_limits<std::uint64_t>::max();
  return options;
}

// run_sim() runs `root` as the main fiber; any verdict but passed fails the benchmark.
template <class F>
void run_sim(benchmark::State& state, const sim::Options& options, F&& root) {
  sim::Report report = sim::run(std::forward<F>(root), options);
  if (!report.passed()) state.SkipWithError(report.message.c_str());
}

// ---- 1. yield round trip ----------------------------------------------------

void match_fp_flags() { _mm_setcsr(_mm_getcsr() | _MM_EXCEPT_INEXACT); }

// Main runs the benchmark loop and yields; a second fiber yields back.
// Argument: record_decisions (1 is the default, 0 skips the decision log).
void BM_Yield_Lockstep(benchmark::State& state) {
  match_fp_flags();
  bool stop = false;  // outlives main, which returns before the other fiber sees it
  run_sim(state, bench_options(64, state.range(0) != 0), [&state, &stop] {
    lockstep::go([&stop] {
      while (!stop) lockstep::yield();
    });
    for (auto _ : state) lockstep::yield();
    stop = true;
  });
}

void BM_Yield_BoostContext(benchmark::State& state) {
  match_fp_flags();
  bool stop = false;
  ctx::fiber other{[&stop](ctx::fiber&& back) {
    while (!stop) back = std::move(back).resume();
    return std::move(back);
  }};
  for (auto _ : state) other = std::move(other).resume();
  stop = true;
  other = std::move(other).resume();  // runs to its end
}

// The same pair with each switch made inside a function that returns to its
// caller, as any yield() is: the two sides call it from different places, so
// the return that follows each switch is predicted from the other side's
// call (the CPU's return stack does not switch stacks) and mispredicted.
// This is the floor for a switch behind a function call.
[[gnu::noinline]] void resume_in_call(ctx::fiber& to) { to = std::move(to).resume(); }

void BM_Yield_BoostContextCall(benchmark::State& state) {
  match_fp_flags();
  bool stop = false;
  ctx::fiber other{[&stop](ctx::fiber&& back) {
    while (!stop) resume_in_call(back);
    return std::move(back);
  }};
  for (auto _ : state) resume_in_call(other);
  stop = true;
  other = std::move(other).resume();  // runs to its end
}

void BM_Yield_BoostFiber(benchmark::State& state) {
  match_fp_flags();
  bool stop = false;
  boost::fibers::fiber other{[&stop] {
    while (!stop) boost::this_fiber::yield();
  }};
  for (auto _ : state) boost::this_fiber::yield();
  stop = true;
  other.join();
}

// ---- 2. spawn + run + exit ---------------------------------------------------

void BM_Spawn_Lockstep(benchmark::State& state) {
  run_sim(state, bench_options(static_cast<std::size_t>(state.range(0))), [&state] {
    std::int64_t done = 0;
    for (auto _ : state) {
      for (std::int64_t i = 0; i < kWave; ++i) lockstep::go([&done] { ++done; });
      lockstep::sim::wait();  // every fiber of the wave has exited
    }
    if (done != state.iterations() * kWave) state.SkipWithError("a fiber did not run");
  });
  count_per_item(state, kWave);
}

void BM_Spawn_BoostFiber(benchmark::State& state) {
  boost::fibers::pooled_fixedsize_stack stacks(static_cast<std::size_t>(state.range(0)) * 1024);
  std::vector<boost::fibers::fiber> wave;
  wave.reserve(kWave);
  std::int64_t done = 0;
  for (auto _ : state) {
    for (std::int64_t i = 0; i < kWave; ++i)
      wave.emplace_back(std::allocator_arg, stacks, [&done] { ++done; });
    for (auto& f : wave) f.join();
    wave.clear();
  }
  if (done != state.iterations() * kWave) state.SkipWithError("a fiber did not run");
  count_per_item(state, kWave);
}

// ---- 3. timers ---------------------------------------------------------------

// The same 1M deadline offsets, in (0, kLatestDeadline], for every variant.
const std::vector<std::int64_t>& deadline_offsets() {
  static const std::vector<std::int64_t> offsets = [] {
    std::mt19937_64 rng(20260101);
    std::uniform_int_distribution<std::int64_t> pick(1, kLatestDeadline.count());
    std::vector<std::int64_t> v(kTimers);
    for (auto& d : v) d = pick(rng);
    return v;
  }();
  return offsets;
}

std::vector<TimerNode> timer_nodes(TimePoint base) {
  std::vector<TimerNode> nodes(kTimers);
  const auto& offsets = deadline_offsets();
  for (std::size_t i = 0; i < kTimers; ++i) nodes[i].when = base + Duration{offsets[i]};
  return nodes;
}

std::size_t timers_fired = 0;
void count_fired(TimerNode&) { ++timers_fired; }

std::vector<TimerNode> firing_nodes() {
  std::vector<TimerNode> nodes = timer_nodes(lockstep::kSimulationEpoch);
  for (TimerNode& n : nodes) n.fire = &count_fired;
  return nodes;
}

void check_all_fired(benchmark::State& state) {
  if (timers_fired != kTimers) state.SkipWithError("not every timer fired");
}

// No add order on equal deadlines (a priority_queue does not keep one): the
// peer does less than TimerHeap, so the ratio is not flattered.
void BM_Timers_PriorityQueue(benchmark::State& state) {
  struct Pending {
    TimePoint when;
    TimerNode* node;
    bool operator>(const Pending& other) const { return when > other.when; }
  };
  std::vector<TimerNode> nodes = firing_nodes();
  for (auto _ : state) {
    timers_fired = 0;
    std::priority_queue<Pending, std::vector<Pending>, std::greater<>> queue;
    for (TimerNode& n : nodes) queue.push(Pending{n.when, &n});
    while (!queue.empty()) {
      TimerNode& n = *queue.top().node;
      queue.pop();
      n.fire(n);
    }
    check_all_fired(state);
  }
  count_per_item(state, kTimers);
}

// The first baseline, kept so both ratios come from one run: bare
// deadlines, nothing fired. It cannot tell which timer is due, so it is a
// floor, not a timer queue.
void BM_Timers_PriorityQueueDeadlines(benchmark::State& state) {
  const auto& offsets = deadline_offsets();
  for (auto _ : state) {
    std::priority_queue<std::int64_t, std::vector<std::int64_t>, std::greater<>> queue;
    for (std::int64_t d : offsets) queue.push(d);
    while (!queue.empty()) {
      benchmark::DoNotOptimize(queue.top());
      queue.pop();
    }
  }
  count_per_item(state, kTimers);
}

void BM_Timers_TimerHeap(benchmark::State& state) {
  std::vector<TimerNode> nodes = firing_nodes();
  for (auto _ : state) {
    timers_fired = 0;
    lockstep::detail::TimerHeap heap;
    for (TimerNode& n : nodes) heap.push(n);
    while (!heap.empty()) {
      TimerNode& n = heap.pop();
      n.fire(n);
    }
    check_all_fired(state);
  }
  count_per_item(state, kTimers);
}

// One simulation per iteration: add 1M timers through the seam, then sleep
// until every one has fired (time jumps from deadline to deadline).
void BM_Timers_Simulation(benchmark::State& state) {
  std::vector<TimerNode> nodes = firing_nodes();
  for (auto _ : state) {
    timers_fired = 0;
    run_sim(state, bench_options(), [&nodes] {
      auto* runtime = lockstep::detail::current_runtime();
      for (TimerNode& n : nodes) runtime->add_timer(n);
      lockstep::sleep(kLatestDeadline + Duration{1});
    });
    check_all_fired(state);
  }
  count_per_item(state, kTimers);
}

// ---- 4. teardown ---------------------------------------------------------------

constexpr std::int64_t kParked = 10'000;

// Main parks kParked fibers on its own channel or locked Mutex, then blocks
// too: a deadlock, and the teardown unwinds them newest first, main last,
// so each leaves a live primitive's queue. Argument: 0 a channel receive,
// 1 a Mutex.
void BM_Teardown(benchmark::State& state) {
  using Clock = std::chrono::steady_clock;
  Clock::duration teardown{};
  for (auto _ : state) {
    Clock::time_point blocked;
    sim::Report report = sim::run(
        [&] {
          lockstep::Chan<int> ch(0);
          lockstep::Mutex mu;
          mu.lock();
          for (std::int64_t i = 0; i < kParked; ++i) {
            if (state.range(0) == 0)
              lockstep::go([&ch] { (void)ch.recv(); });
            else
              lockstep::go([&mu] { mu.lock(); });
          }
          lockstep::sim::wait();
          blocked = Clock::now();
          (void)ch.recv();
        },
        bench_options());
    teardown += Clock::now() - blocked;
    if (report.verdict != sim::Verdict::deadlock) state.SkipWithError(report.message.c_str());
  }
  count_per_item(state, kParked);
  state.counters["teardown_ns"] =
      static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(teardown).count()) /
      static_cast<double>(state.iterations() * kParked);
}

BENCHMARK(BM_Yield_Lockstep)->ArgName("record_decisions")->Arg(1)->Arg(0)->Iterations(5'000'000);
BENCHMARK(BM_Yield_BoostContext)->Iterations(5'000'000);
BENCHMARK(BM_Yield_BoostContextCall)->Iterations(5'000'000);
BENCHMARK(BM_Yield_BoostFiber)->Iterations(5'000'000);

BENCHMARK(BM_Spawn_Lockstep)->ArgName("stack_kib")->Arg(16)->Arg(32)->Arg(64)->Iterations(kWaves);
BENCHMARK(BM_Spawn_BoostFiber)->ArgName("stack_kib")->Arg(16)->Arg(64)->Iterations(kWaves);

BENCHMARK(BM_Timers_PriorityQueue)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Timers_PriorityQueueDeadlines)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Timers_TimerHeap)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Timers_Simulation)->Unit(benchmark::kMillisecond)->Iterations(3);

BENCHMARK(BM_Teardown)->ArgName("parked_on")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(20);

}  // namespace

BENCHMARK_MAIN();
