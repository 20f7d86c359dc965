// The GoKer kernels of grpc: each buggy kernel is caught with its expected
// verdict on exactly the stated first schedule under FIFO, random and PCT
// (seed 1), with no other failure within the budget; each fixed twin passes
// every schedule of its budget. A data-race kernel is skipped by explore()
// outside the race-detector build, and its body then passes on the FIFO
// schedule. Exact schedule indices make these tests fail when the
// simulator's semantics change: that is intended (docs/goker/grpc.md has
// the table they mirror).
#include <catch2/catch.hpp>

#include "scenarios/tests/goker_explore.hpp"

using namespace lockstep;
using namespace lockstep::scenarios;
using namespace lockstep::scenarios::test;

namespace {

constexpr std::uint64_t kBudget = 1000;      // schedules per strategy for a buggy kernel
constexpr std::uint64_t kTwinBudget = 1000;  // schedules per strategy for a fixed twin

// A race kernel outside the race-detector build: skipped by explore(), and
// its FIFO schedule passes.
void race_kernel(const std::string& name) {
  const Scenario& s = goker_named(name);
#ifdef LOCKSTEP_RACE_DETECTOR
  Exploration e = explore(s, ExploreConfig{sim::Strategy::Kind::fifo, 1, 1});
  INFO(render(e, true));
  CHECK(e.held);
  CHECK(e.first_match == std::optional<std::uint64_t>{0});
#else
  CHECK(explore(s, ExploreConfig{sim::Strategy::Kind::fifo, 1, 1}).skipped);
  sim::Report r = run_schedule(s, sim::Strategy::fifo(), 0);
  INFO(sim::to_string(r));
  CHECK(r.verdict == sim::Verdict::passed);
#endif
}

}  // namespace

TEST_CASE("goker grpc/660: the loop returns on stop and its last worker leaks; FIFO finds it", "[goker][goker-grpc]") {
  // PCT schedules 21 (buggy) and 22 (twin) starve the stopper behind the
  // loop and its workers: a livelock verdict, kept out of the PCT budgets.
  caught("goker/grpc/660", {true, 0, 0}, kBudget, 21);
  fixed("goker/grpc/660_fixed", kTwinBudget, 22);
}

TEST_CASE("goker grpc/795: GracefulStop returns holding the mutex, every schedule", "[goker][goker-grpc]") {
  caught("goker/grpc/795", {true, 0, 0}, kBudget);
  fixed("goker/grpc/795_fixed", kTwinBudget);
}

TEST_CASE("goker grpc/862: the retry loop outlives DialContext, every schedule", "[goker][goker-grpc]") {
  caught("goker/grpc/862", {true, 0, 0}, kBudget);
  fixed("goker/grpc/862_fixed", kTwinBudget);
}

TEST_CASE("goker grpc/1275: CloseStream leaves the reader blocked, every schedule", "[goker][goker-grpc]") {
  caught("goker/grpc/1275", {true, 0, 0}, kBudget);
  fixed("goker/grpc/1275_fixed", kTwinBudget);
}

TEST_CASE("goker grpc/1353: the balancer sends holding the mutex lbWatcher needs; FIFO finds it",
          "[goker][goker-grpc]") {
  caught("goker/grpc/1353", {true, 0, 0}, kBudget);
  fixed("goker/grpc/1353_fixed", kTwinBudget);
}

TEST_CASE("goker grpc/1424: lbWatcher never closes doneChan, every schedule", "[goker][goker-grpc]") {
  caught("goker/grpc/1424", {true, 0, 0}, kBudget);
  fixed("goker/grpc/1424_fixed", kTwinBudget);
}

TEST_CASE("goker grpc/1460: keepalive waits holding the lock NewStream needs; FIFO finds it", "[goker][goker-grpc]") {
  caught("goker/grpc/1460", {true, 0, 3}, kBudget);
  fixed("goker/grpc/1460_fixed", kTwinBudget);
}

TEST_CASE("goker grpc/1687: a write after WriteStatus sends on a closed channel, every schedule",
          "[goker][goker-grpc]") {
  caught("goker/grpc/1687", {true, 0, 0}, kBudget);
}

TEST_CASE("goker grpc/1748: minConnectTimeout is restored while a transport monitor reads it", "[goker][goker-grpc]") {
  race_kernel("goker/grpc/1748");
}

TEST_CASE("goker grpc/2371: a watcher dereferences the wrapper Close cleared; random and PCT find it",
          "[goker][goker-grpc]") {
  caught("goker/grpc/2371", {false, 0, 0}, kBudget);
}

TEST_CASE("goker grpc/3017: the aborted deletion returns holding the mutex; random and PCT find it",
          "[goker][goker-grpc]") {
  caught("goker/grpc/3017", {false, 0, 0}, kBudget);
  fixed("goker/grpc/3017_fixed", kTwinBudget);
}

TEST_CASE("goker grpc/3090: ccr.resolver is assigned while a poll goroutine reads it", "[goker][goker-grpc]") {
  race_kernel("goker/grpc/3090");
}
