// fuzz_bench: what schedule exploration costs, on a small program of the
// kind fuzzing is for: main starts two goroutines in an ErrGroup, each loads
// something (a mutex-guarded cache, then a result on a channel), and main
// waits for the group and reads both results. 3 fibers, ~20 scheduling
// points, ~10 decisions.
//
//  1. One FIFO run (the baseline) vs the same run with its event log turned
//     into a trace (written to /dev/null: JSON formatting and all) and with
//     the determinism self-check (two runs plus two event logs).
//  2. Decision recording: random runs with Options::record_decisions on
//     (the default) and off.
//  3. Schedules explored per second under random and PCT, a new seed per
//     run, as a fuzz loop does it. Issue target: >= 200,000 schedules/s on
//     one core.
//  4. Schedules explored per second by the systematic search (sim/dfs.hpp)
//     at delay bound 2, with partial-order reduction (Arg 1) and without
//     (Arg 0): each iteration searches every bound's tree whole; items are
//     its schedules, so items_per_second compares with 3.
//
// "per_item" is time per run (one schedule). The watchdog is off in every
// variant: registering each run with the watchdog thread is a cost of its
// own, and a fuzz loop that wants speed turns it off too.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "lockstep.hpp"

namespace {

namespace sim = lockstep::sim;

void load_two() {
  lockstep::ErrGroup group;
  lockstep::Mutex cache_mu;
  int cache_hits = 0;
  lockstep::Chan<int> results(2);
  for (int id = 1; id <= 2; ++id)
    group.go([&, id] {
      {
        std::lock_guard lock(cache_mu);
        ++cache_hits;
      }
      results.send(id);
    });
  if (group.wait()) throw std::runtime_error("load failed");
  int sum = *results.recv() + *results.recv();
  if (sum != 3 || cache_hits != 2) throw std::runtime_error("lost a load");
}

sim::Options options(sim::Strategy strategy = sim::Strategy::fifo()) {
  sim::Options o;
  o.strategy = std::move(strategy);
  o.watchdog = std::chrono::milliseconds{0};
  return o;
}

void run_schedules(benchmark::State& state, sim::Options o, bool new_seed) {
  std::uint64_t seed = 0;
  for (auto _ : state) {
    if (new_seed) o.seed = ++seed;
    sim::Report report = sim::run([] { load_two(); }, o);
    if (!report.passed()) {
      state.SkipWithError(report.message.c_str());
      break;
    }
    benchmark::DoNotOptimize(report.steps);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["per_item"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                  benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_Fifo(benchmark::State& state) { run_schedules(state, options(), false); }

void BM_Fifo_Trace(benchmark::State& state) {
  sim::Options o = options();
  o.trace_path = "/dev/null";
  run_schedules(state, o, false);
}

void BM_Fifo_SelfCheck(benchmark::State& state) {
  sim::Options o = options();
  o.self_check = true;
  run_schedules(state, o, false);
}

// Argument: record_decisions.
void BM_Random_Record(benchmark::State& state) {
  sim::Options o = options(sim::Strategy::random());
  o.record_decisions = state.range(0) != 0;
  run_schedules(state, o, true);
}

void BM_Pct(benchmark::State& state) { run_schedules(state, options(sim::Strategy::pct(3, 30)), true); }

// Argument: reduce.
void BM_Dfs(benchmark::State& state) {
  sim::DfsConfig c;
  c.bound = 2;
  c.reduce = state.range(0) != 0;
  std::uint64_t schedules = 0;
  for (auto _ : state) {
    sim::DfsResult r =
        sim::explore_dfs([](const sim::Strategy& s) { return sim::run([] { load_two(); }, options(s)); }, c);
    if (!r.complete) {
      state.SkipWithError(r.summary().c_str());
      break;
    }
    schedules += r.schedules;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(schedules));
  state.counters["schedules"] = static_cast<double>(schedules) / static_cast<double>(state.iterations());
}

}  // namespace

BENCHMARK(BM_Fifo);
BENCHMARK(BM_Fifo_Trace);
BENCHMARK(BM_Fifo_SelfCheck);
BENCHMARK(BM_Random_Record)->Arg(1)->Arg(0);
BENCHMARK(BM_Pct);
BENCHMARK(BM_Dfs)->Arg(1)->Arg(0);
BENCHMARK_MAIN();
