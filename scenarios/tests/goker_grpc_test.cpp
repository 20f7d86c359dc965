// The GoKer kernels of grpc: each buggy kernel is caught with its expected
// verdict on exactly the stated first schedule under FIFO, random and PCT
// (seed 1), with no other failure within the budget; each fixed twin passes
// every schedule of its budget. The report of the first catching schedule
// (FIFO's where FIFO catches the kernel) is compared line by line (message,
// virtual time, each fiber's state, wait reason, object and since). A data-race kernel is skipped by explore()
// outside the race-detector build, and its body then passes on the FIFO
// schedule. Exact schedule indices make these tests fail when the
// simulator's semantics change: that is intended (docs/goker/grpc.md has
// the table they mirror).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "scenarios/tests/goker_explore.hpp"

using namespace lockstep;
using namespace lockstep::scenarios;
using namespace lockstep::scenarios::test;

namespace {

constexpr std::uint64_t kBudget = 1000;      // schedules per strategy for a buggy kernel
constexpr std::uint64_t kTwinBudget = 1000;  // schedules per strategy for a fixed twin

}  // namespace

TEST_CASE("goker grpc/660: the loop returns on stop and its last worker leaks, FIFO finds it", "[goker][goker-grpc]") {
  // The loop and its workers never block: PCT's fair tail (past its step
  // bound) lets the stopper run, where strict priorities starved it (PCT
  // schedules 21 and 22 of the twin ended in livelock before).
  CHECK(fifo_dump("goker/grpc/660") == std::vector<std::string>{
      "leak: main returned but 1 fiber remains blocked",
      "at +0s",
      "fiber 4 \"doCloseLoopUnary.func1\" blocked [chan send] on chan<bool> #2 cap=0 len=0 since +0s"});
  caught("goker/grpc/660", {0, 0, 0}, kBudget);
  fixed("goker/grpc/660_fixed", kTwinBudget);
}

TEST_CASE("goker grpc/795: GracefulStop returns holding the mutex, every schedule", "[goker][goker-grpc]") {
  CHECK(fifo_dump("goker/grpc/795") == std::vector<std::string>{
      "deadlock: all fibers are blocked and no timer is pending",
      "at +0s",
      "fiber 1 \"main\" blocked [sync.Mutex.Lock] on mutex #1 held by fiber 1 since +0s",
      "fiber 2 \"Serve\" blocked [sync.Mutex.Lock] on mutex #1 held by fiber 1 since +0s"});
  caught("goker/grpc/795", {0, 0, 0}, kBudget);
  fixed("goker/grpc/795_fixed", kTwinBudget);
}

TEST_CASE("goker grpc/862: the retry loop outlives DialContext, every schedule", "[goker][goker-grpc]") {
  caught("goker/grpc/862", {0, 0, 0}, kBudget);
  fixed("goker/grpc/862_fixed", kTwinBudget);
}

TEST_CASE("goker grpc/1275: CloseStream leaves the reader blocked, every schedule", "[goker][goker-grpc]") {
  CHECK(fifo_dump("goker/grpc/1275") == std::vector<std::string>{
      "leak: main returned but 1 fiber remains blocked",
      "at +300ns",
      "fiber 2 \"testInflightStreamClosing.func1\" blocked [chan receive] on chan<bool> #1 cap=0 len=0 since +0s"});
  caught("goker/grpc/1275", {0, 0, 0}, kBudget);
  fixed("goker/grpc/1275_fixed", kTwinBudget);
}

TEST_CASE("goker grpc/1353: the balancer sends holding the mutex lbWatcher needs, FIFO finds it",
          "[goker][goker-grpc]") {
  CHECK(fifo_dump("goker/grpc/1353") == std::vector<std::string>{
      "leak: main returned but 3 fibers remain blocked",
      "at +0s",
      "fiber 2 \"Start.func1\" blocked [chan send] on chan<bool> #5 cap=0 len=0 since +0s",
      "fiber 3 \"lbWatcher\" blocked [sync.Mutex.Lock] on mutex #1 held by fiber 2 since +0s",
      "fiber 4 \"TestGrpc1353.func1\" blocked [chan receive] on chan<lockstep::Empty> #2 cap=0 len=0 since +0s"});
  caught("goker/grpc/1353", {0, 0, 0}, kBudget);
  fixed("goker/grpc/1353_fixed", kTwinBudget);
}

TEST_CASE("goker grpc/1424: lbWatcher never closes doneChan, every schedule", "[goker][goker-grpc]") {
  CHECK(fifo_dump("goker/grpc/1424") == std::vector<std::string>{
      "leak: main returned but 1 fiber remains blocked",
      "at +0s",
      "fiber 3 \"DialContext.func1\" blocked [chan receive] on chan<bool> #2 cap=0 len=0 since +0s"});
  caught("goker/grpc/1424", {0, 0, 0}, kBudget);
  fixed("goker/grpc/1424_fixed", kTwinBudget);
}

TEST_CASE("goker grpc/1460: keepalive waits holding the lock NewStream needs, FIFO finds it", "[goker][goker-grpc]") {
  CHECK(fifo_dump("goker/grpc/1460") == std::vector<std::string>{
      "leak: main returned but 2 fibers remain blocked",
      "at +0s",
      "fiber 2 \"keepalive\" blocked [chan receive] on chan<lockstep::Empty> #2 cap=0 len=0 since +0s",
      "fiber 3 \"NewStream\" blocked [sync.Mutex.Lock] on mutex #1 held by fiber 2 since +0s"});
  caught("goker/grpc/1460", {0, 0, 3}, kBudget);
  fixed("goker/grpc/1460_fixed", kTwinBudget);
}

TEST_CASE("goker grpc/1687: a write after WriteStatus sends on a closed channel, every schedule",
          "[goker][goker-grpc]") {
  auto dump = fifo_dump("goker/grpc/1687");
  REQUIRE(dump.size() == 4);
  CHECK(dump[0].starts_with("misuse in fiber 2 \"TestGrpc1687.func1\""));
  CHECK(dump[0].find("lockstep: send on closed channel (in select) on chan<std::function<void()>> #2 cap=0 len=0 "
                     "closed") != std::string::npos);
  CHECK(std::vector<std::string>(dump.begin() + 1, dump.end()) ==
        std::vector<std::string>{"at +0s", "fiber 1 \"main\" runnable", "fiber 2 \"TestGrpc1687.func1\" running"});
  caught("goker/grpc/1687", {0, 0, 0}, kBudget);
}

TEST_CASE("goker grpc/1748: minConnectTimeout is restored while a transport monitor reads it", "[goker][goker-grpc]") {
  race_kernel("goker/grpc/1748", sim::Verdict::passed);
}

TEST_CASE("goker grpc/2371: a watcher dereferences the wrapper Close cleared, random and PCT find it",
          "[goker][goker-grpc]") {
  auto dump = first_catch_dump("goker/grpc/2371", sim::Strategy::Kind::random, 1);
  REQUIRE(dump.size() == 11);
  CHECK(dump[0].starts_with("exception in fiber 8 \"watcher\""));
  CHECK(dump[0].ends_with("nil pointer dereference: cc.balancerWrapper"));
  CHECK(dump[4] == "fiber 7 \"Close\" blocked [sync.RWMutex.Lock] on rwmutex #5 held by fiber 6, 1 writer waiting since +0s");
  CHECK(dump[5] == "fiber 8 \"watcher\" running");
  caught("goker/grpc/2371", {std::nullopt, 0, 0}, kBudget);
}

TEST_CASE("goker grpc/3017: the aborted deletion returns holding the mutex, random and PCT find it",
          "[goker][goker-grpc]") {
  CHECK(first_catch_dump("goker/grpc/3017", sim::Strategy::Kind::random, 1) == std::vector<std::string>{
      "deadlock: all fibers are blocked and no timer is pending",
      "at +1ns",
      "fiber 1 \"main\" blocked [chan receive] on chan<lockstep::Empty> #1 cap=0 len=0 since +0s",
      "fiber 2 \"TestGrpc3017.func1\" blocked [sync.Mutex.Lock] on mutex #2 held by fiber 3 since +1ns"});
  caught("goker/grpc/3017", {std::nullopt, 0, 0}, kBudget);
  fixed("goker/grpc/3017_fixed", kTwinBudget);
}

TEST_CASE("goker grpc/3090: ccr.resolver is assigned while a poll goroutine reads it", "[goker][goker-grpc]") {
  race_kernel("goker/grpc/3090", sim::Verdict::passed);
}
