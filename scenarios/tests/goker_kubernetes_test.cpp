// The GoKer kernels of kubernetes, kernel by kernel: each buggy kernel is caught with its exact
// expectation, and the test pins the first schedule that catches it under FIFO (one schedule),
// random and PCT (seed 1, depth 3, adaptive steps); every schedule of the budget ends in the
// expected verdict or passes. Each fixed twin passes FIFO's schedule and every schedule of its
// budget under random and PCT. Pinned indices fail the test when the simulation's semantics change, on purpose:
// re-measure with `lockstep-scenarios run goker/kubernetes/<id> --strategy S --schedules N`.
// The data-race kernels need the race-detector build; elsewhere the test checks they are skipped
// and that one FIFO run of each ends as the header says (passed, or the Go kernel's own leak).
// At one catching schedule of each blocking kernel the test also checks the dump: every blocked
// fiber, its wait reason and the object it waits on.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/tests/goker_explore.hpp"
#include "scenarios/tests/support.hpp"

using namespace std::chrono_literals;
using namespace lockstep;
using namespace lockstep::scenarios;
using namespace lockstep::scenarios::test;

namespace {

using Kind = sim::Strategy::Kind;

// race() checks a data-race kernel: explored (and caught) only in the race-detector build;
// elsewhere skipped, its FIFO run ending in `plain` (no detector sees the race).
void race(const std::string& name, sim::Verdict plain) {
  const Scenario& s = goker_named(name);
  CHECK(s.expect.verdict == sim::Verdict::race);
#ifdef LOCKSTEP_RACE_DETECTOR
  static_cast<void>(plain);
  for (auto kind : {Kind::fifo, Kind::random, Kind::pct}) {
    auto e = explore(s, ExploreConfig{kind, 100, 1});
    INFO(render(e, true));
    CHECK(e.held);
  }
#else
  auto e = explore(s, ExploreConfig{Kind::random, 100, 1});
  CHECK(e.skipped);
  CHECK(e.schedules_run == 0);
  auto r = run_schedule(s, sim::Strategy::fifo(), 0);
  INFO(sim::to_string(r));
  CHECK(r.verdict == plain);
#endif
}

// first_with() is the first of `limit` schedules (seed 1 + i) whose report has a fiber `fiber`
// in state blocked with wait reason `reason`; `limit` if none has.
std::uint64_t first_with(const std::string& name, Kind kind, const std::string& fiber,
                         const std::string& reason, std::uint64_t limit) {
  const Scenario& s = goker_named(name);
  sim::Strategy strategy = strategy_of(ExploreConfig{kind, limit, 1});
  for (std::uint64_t i = 0; i < limit; ++i) {
    sim::Report r = run_schedule(s, strategy, 1 + i);
    if (i < kAdaptWarmup) strategy.adapt(r.steps);
    for (const auto& f : r.fibers)
      if (f.name == fiber && f.state == sim::FiberState::blocked && f.reason == reason) return i;
  }
  return limit;
}

// at() runs one schedule of a kernel: FIFO's, or random's with `seed`.
sim::Report at(const std::string& name, std::optional<std::uint64_t> random_seed = std::nullopt) {
  const Scenario& s = goker_named(name);
  return random_seed ? run_schedule(s, sim::Strategy::random(), *random_seed) : run_schedule(s, sim::Strategy::fifo(), 0);
}

using Lines = std::vector<std::string>;

constexpr std::uint64_t kBudget = 2000;  // random and PCT schedules per kernel and per twin

}  // namespace

TEST_CASE("goker kubernetes: 1321, Stop() needs the lock the distributor holds while it sends", "[goker][goker-kubernetes]") {
  caught("goker/kubernetes/1321", {std::nullopt, 0, 8}, kBudget);
  fixed("goker/kubernetes/1321_fixed", kBudget);
  auto r = at("goker/kubernetes/1321", 1);
  CHECK(r.message == "leak: main returned but 2 fibers remain blocked");
  CHECK(blocked_lines(r) == Lines{"testMuxWatcherClose [sync.Mutex.Lock] on mutex #1 held by fiber 3",
                            "loop [chan send] on chan<lockstep::Empty> #3 cap=0 len=0"});
}

TEST_CASE("goker kubernetes: 5316, the late result is sent on an unbuffered channel nobody reads", "[goker][goker-kubernetes]") {
  caught("goker/kubernetes/5316", {0, 0, 0}, kBudget);
  fixed("goker/kubernetes/5316_fixed", kBudget);
  auto r = at("goker/kubernetes/5316");
  CHECK(r.elapsed() == 10ms);
  REQUIRE(blocked_lines(r) == Lines{"finishRequest.func1 [chan send] on chan<bool> #1 cap=0 len=0"});
  CHECK(r.fibers[0].since == kSimulationEpoch + 2ms);
}

TEST_CASE("goker kubernetes: 6632, a send on the reset channel under the lock its closer needs", "[goker][goker-kubernetes]") {
  caught("goker/kubernetes/6632", {std::nullopt, 1, 1}, kBudget);
  fixed("goker/kubernetes/6632_fixed", kBudget);
  CHECK(blocked_lines(at("goker/kubernetes/6632", 2)) == Lines{"monitor [sync.Mutex.Lock] on mutex #2 held by fiber 4",
                                                         "WriteFrame [chan send] on chan<bool> #1 cap=0 len=0"});
}

TEST_CASE("goker kubernetes: 10182, a status sent under the lock its reader needs", "[goker][goker-kubernetes]") {
  caught("goker/kubernetes/10182", {0, 1, 0}, kBudget);
  CHECK(blocked_lines(at("goker/kubernetes/10182", 2)) ==
        Lines{"SetPodStatus [chan send] on chan<bool> #2 cap=0 len=0",
              "syncBatch [sync.RWMutex.Lock] on rwmutex #1 held by fiber 4, 1 writer waiting"});
}

TEST_CASE("goker kubernetes: 11298, a cond signalled before its waiter waits", "[goker][goker-kubernetes]") {
  caught("goker/kubernetes/11298", {std::nullopt, 12, 7}, kBudget);
  auto r = at("goker/kubernetes/11298", 13);
  CHECK(r.message == "deadlock: all fibers are blocked and no timer is pending");
  CHECK(blocked_lines(r) == Lines{"main [chan receive] on chan<lockstep::Empty> #2 cap=0 len=0",
                            "Notify [chan receive] on chan<lockstep::Empty> #8 cap=0 len=0",
                            "Wait [sync.Cond.Wait] on cond #4 (mutex #3)"});
  fixed("goker/kubernetes/11298_fixed", kBudget);
}

TEST_CASE("goker kubernetes: 13135, the cacher's and the watch cache's locks in opposite orders", "[goker][goker-kubernetes]") {
  caught("goker/kubernetes/13135", {std::nullopt, 2, 17}, kBudget);
  CHECK(blocked_lines(at("goker/kubernetes/13135", 3)) ==
        Lines{"Util [sync.RWMutex.Lock] on rwmutex #5 held by fiber 3, 1 writer waiting",
              "Add [sync.Mutex.Lock] on mutex #2 held by fiber 2"});
  fixed("goker/kubernetes/13135_fixed", kBudget);
}

TEST_CASE("goker kubernetes: 25331, run() cancels its own context, then sends a result nobody reads", "[goker][goker-kubernetes]") {
  caught("goker/kubernetes/25331", {0, 0, 0}, kBudget);
  fixed("goker/kubernetes/25331_fixed", kBudget);
  CHECK(blocked_lines(at("goker/kubernetes/25331")) == Lines{"run [chan send] on chan<bool> #2 cap=0 len=0"});
}

TEST_CASE("goker kubernetes: 26980, pop() waits for stop holding the lock the test needs", "[goker][goker-kubernetes]") {
  caught("goker/kubernetes/26980", {0, 0, 1}, kBudget);
  CHECK(blocked_lines(at("goker/kubernetes/26980")) == Lines{"main [chan receive] on chan<lockstep::Empty> #4 cap=0 len=0",
                                                       "pop [select] on chan<lockstep::Empty> #3 cap=0 len=0",
                                                       "lock [sync.Mutex.Lock] on mutex #1 held by fiber 2"});
}

TEST_CASE("goker kubernetes: 30872, the informer's lock and the DeltaFIFO's lock in opposite orders", "[goker][goker-kubernetes]") {
  caught("goker/kubernetes/30872", {std::nullopt, 0, 4}, kBudget);
  CHECK(blocked_lines(at("goker/kubernetes/30872", 1)) ==
        Lines{"Controller.Run [sync.Mutex.Lock] on mutex #1 held by fiber 4",
              "NamespaceController.Run.func1 [sync.Mutex.Lock] on mutex #1 held by fiber 4",
              "DelayingDeliverer.StartWithHandler.func1 [sync.RWMutex.Lock] on rwmutex #2 held by fiber 2, 1 writer waiting"});
  fixed("goker/kubernetes/30872_fixed", kBudget);
}

TEST_CASE("goker kubernetes: 38669, initial events sent on a result channel nobody reads", "[goker][goker-kubernetes]") {
  caught("goker/kubernetes/38669", {0, 0, 0}, kBudget);
  CHECK(blocked_lines(at("goker/kubernetes/38669")) == Lines{"process [chan send] on chan<int> #3 cap=0 len=0"});
  fixed("goker/kubernetes/38669_fixed", kBudget);
}

TEST_CASE("goker kubernetes: 58107, workers wait on a cond holding a read lock a writer queues behind", "[goker][goker-kubernetes]") {
  caught("goker/kubernetes/58107", {0, 9, 0}, kBudget);
  // The bug's own shape: a worker kept out of RLock() by the queued writer.
  CHECK(first_with("goker/kubernetes/58107", Kind::random, "worker", "sync.RWMutex.RLock", 10'000) == 237);
  CHECK(first_with("goker/kubernetes/58107", Kind::pct, "worker", "sync.RWMutex.RLock", 10'000) == 54);
  CHECK(blocked_lines(at("goker/kubernetes/58107")) == Lines{"Sync [sync.RWMutex.Lock] on rwmutex #1 read-locked by 2, 1 writer waiting",
                                                       "worker [sync.Cond.Wait] on cond #3 (mutex #2)",
                                                       "worker [sync.Cond.Wait] on cond #5 (mutex #4)"});
}

TEST_CASE("goker kubernetes: 62464, a recursive RLock with a writer queued in between", "[goker][goker-kubernetes]") {
  caught("goker/kubernetes/62464", {std::nullopt, 3, 3}, kBudget);
  fixed("goker/kubernetes/62464_fixed", kBudget);
  CHECK(blocked_lines(at("goker/kubernetes/62464", 4)) ==
        Lines{"reconcileState [sync.RWMutex.RLock] on rwmutex #1 read-locked by 1, 1 writer waiting",
              "RemoveContainer [sync.RWMutex.Lock] on rwmutex #1 read-locked by 1, 1 writer waiting"});
}

TEST_CASE("goker kubernetes: 70277, the test receives from its own stop channel, at +20s", "[goker][goker-kubernetes]") {
  caught("goker/kubernetes/70277", {0, 0, 0}, 100);
  auto r = run_schedule(goker_named("goker/kubernetes/70277"), sim::Strategy::fifo(), 0);
  CHECK(r.elapsed() == 20s);
  REQUIRE(r.fibers.size() == 1);
  CHECK(r.fibers[0].name == "main");
  CHECK(r.fibers[0].reason == "chan receive");
  fixed("goker/kubernetes/70277_fixed", kBudget);
}

TEST_CASE("goker kubernetes: 13058, the handler's Done() before the test's Add() is misuse", "[goker][goker-kubernetes]") {
  caught("goker/kubernetes/13058", {std::nullopt, 0, 1}, kBudget);
  auto r = at("goker/kubernetes/13058", 1);
  CHECK(r.message.starts_with("misuse in fiber 2 \"Controller.Run\""));
  CHECK(r.message.find("lockstep: sync: negative WaitGroup counter on waitgroup #1 count=0") != std::string::npos);
}

TEST_CASE("goker kubernetes: the data-race kernels are explored by the race-detector build only", "[goker][goker-kubernetes]") {
  for (const char* name : {"49404", "70892", "77796", "80284", "81091", "81148", "82239", "82550", "89164"})
    race(std::string("goker/kubernetes/") + name, sim::Verdict::passed);
  // Their Go kernels end with a goroutine waiting for ever on a stop channel nobody closes.
  for (const char* name : {"79631", "88331"}) race(std::string("goker/kubernetes/") + name, sim::Verdict::leak);
}
