// The GoKer kernels of etcd: each buggy kernel is caught with its expected
// verdict on exactly the stated first schedule under FIFO, random and PCT
// (seed 1), with no other failure within the budget; each fixed twin passes
// every schedule of its budget. The report of the first catching schedule
// (FIFO's where FIFO catches the kernel) is compared line by line (message,
// virtual time, each fiber's state, wait reason, object and since). A data-race kernel is skipped by explore()
// outside the race-detector build, and its body then runs to its
// race-free verdict on the FIFO schedule. Exact schedule indices make these
// tests fail when the simulator's semantics change: that is intended
// (docs/goker/etcd.md has the table they mirror).
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

TEST_CASE("goker etcd/3077: the server reads the raft node's channels racing their creation", "[goker][goker-etcd]") {
  race_kernel("goker/etcd/3077", sim::Verdict::passed);
}

TEST_CASE("goker etcd/4876: the progress interval is written while sendLoop reads it", "[goker][goker-etcd]") {
  race_kernel("goker/etcd/4876", sim::Verdict::passed);
}

TEST_CASE("goker etcd/5509: a leaked read lock deadlocks Close, random and PCT find it", "[goker][goker-etcd]") {
  // The getter spins until Close: PCT's fair tail (past its step bound)
  // lets main run, where strict priorities starved it (PCT schedules 16 and
  // 2 of the twin ended in livelock before).
  CHECK(first_catch_dump("goker/etcd/5509", sim::Strategy::Kind::random, 1) == std::vector<std::string>{
      "deadlock: all fibers are blocked and no timer is pending",
      "at +0s",
      "fiber 1 \"main\" blocked [sync.RWMutex.Lock] on rwmutex #2 read-locked by 1, 1 writer waiting since +0s"});
  caught("goker/etcd/5509", {std::nullopt, 0, 2}, kBudget);
  fixed("goker/etcd/5509_fixed", kTwinBudget);
}

TEST_CASE("goker etcd/6708: Sync's write lock deadlocks the leader lookup on every schedule", "[goker][goker-etcd]") {
  CHECK(fifo_dump("goker/etcd/6708") == std::vector<std::string>{
      "deadlock: all fibers are blocked and no timer is pending",
      "at +0s",
      "fiber 1 \"main\" blocked [sync.RWMutex.RLock] on rwmutex #1 held by fiber 1 since +0s"});
  caught("goker/etcd/6708", {0, 0, 0}, kBudget);
}

TEST_CASE("goker etcd/6857: Status leaks after Stop, random and PCT find it", "[goker][goker-etcd]") {
  CHECK(first_catch_dump("goker/etcd/6857", sim::Strategy::Kind::random, 9) == std::vector<std::string>{
      "leak: main returned but 1 fiber remains blocked",
      "at +0s",
      "fiber 3 \"Status\" blocked [chan send] on "
      "chan<lockstep::Chan<lockstep::scenarios::goker::etcd6857::Status>> #1 cap=0 len=0 since +0s"});
  caught("goker/etcd/6857", {std::nullopt, 8, 1}, kBudget);
  fixed("goker/etcd/6857_fixed", kTwinBudget);
}

TEST_CASE("goker etcd/6873: stop holds the lock the broadcast loop needs, random and PCT find it",
          "[goker][goker-etcd]") {
  CHECK(first_catch_dump("goker/etcd/6873", sim::Strategy::Kind::random, 1) == std::vector<std::string>{
      "leak: main returned but 2 fibers remain blocked",
      "at +0s",
      "fiber 2 \"newWatchBroadcasts.func1\" blocked [sync.Mutex.Lock] on mutex #1 held by fiber 3 since +0s",
      "fiber 3 \"stop\" blocked [chan receive] on chan<lockstep::Empty> #3 cap=0 len=0 since +0s"});
  caught("goker/etcd/6873", {std::nullopt, 0, 0}, kBudget);
  fixed("goker/etcd/6873_fixed", kTwinBudget);
}

TEST_CASE("goker etcd/7443: the balancer's send under its lock, only PCT finds it", "[goker][goker-etcd]") {
  // Random passes all of the 10,000 schedules the issue allows.
  CHECK(first_catch_dump("goker/etcd/7443", sim::Strategy::Kind::pct, 16) == std::vector<std::string>{
      "deadlock: all fibers are blocked and no timer is pending",
      "at +0s",
      "fiber 1 \"main\" blocked [chan receive] on chan<lockstep::Empty> #7 cap=0 len=0 since +0s",
      "fiber 2 \"lbWatcher\" blocked [chan send] on chan<std::vector<int>> #1 cap=1 len=1 since +0s",
      "fiber 6 \"TestEtcd7443.func1\" blocked [sync.RWMutex.Lock] on rwmutex #2 held by fiber 2, 2 writers waiting "
      "since +0s",
      "fiber 7 \"Close\" blocked [sync.RWMutex.Lock] on rwmutex #2 held by fiber 2, 2 writers waiting since +0s"});
  caught("goker/etcd/7443", {std::nullopt, std::nullopt, 15}, 10'000);
}

TEST_CASE("goker etcd/7492: the keeper loop and an assigner wait for each other, ticker live", "[goker][goker-etcd]") {
  CHECK(fifo_dump("goker/etcd/7492") == std::vector<std::string>{
      "livelock: virtual time would pass the horizon of 1us (next timer at +1.001us)",
      "at +1us",
      "fiber 1 \"main\" blocked [sync.WaitGroup.Wait] on waitgroup #4 count=1 since +0s",
      "fiber 2 \"run\" blocked [sync.RWMutex.Lock] on rwmutex #1 held by fiber 5, 1 writer waiting since +2ns",
      "fiber 5 \"TestEtcd7492.func1\" blocked [chan send] on chan<lockstep::Empty> #2 cap=1 len=1 since +3ns"});
  caught("goker/etcd/7492", {0, 0, 0}, kBudget);
  fixed("goker/etcd/7492_fixed", kTwinBudget);
}

TEST_CASE("goker etcd/7902: the election's leader and follower wait for each other", "[goker][goker-etcd]") {
  CHECK(fifo_dump("goker/etcd/7902") == std::vector<std::string>{
      "leak: main returned but 3 fibers remain blocked",
      "at +0s",
      "fiber 2 \"runElectionFunc\" blocked [sync.WaitGroup.Wait] on waitgroup #3 count=2 since +0s",
      "fiber 4 \"doRounds.func1\" blocked [chan receive] on chan<bool> #103 cap=0 len=0 since +0s",
      "fiber 5 \"doRounds.func1\" blocked [sync.Mutex.Lock] on mutex #2 held by fiber 4 since +0s"});
  caught("goker/etcd/7902", {0, 0, 0}, kBudget);
}

TEST_CASE("goker etcd/8194: the lease revoke rate is written while runLoop reads it", "[goker][goker-etcd]") {
  // Outside the race detector the test returns while runLoop waits on its
  // 5ms timer: virtual time stops with main, a leak.
  race_kernel("goker/etcd/8194", sim::Verdict::leak);
}

TEST_CASE("goker etcd/9446: a read buffer is reset while another goroutine ranges over it", "[goker][goker-etcd]") {
  race_kernel("goker/etcd/9446", sim::Verdict::passed);
}

TEST_CASE("goker etcd/10492: Renew's checkpointer locks the lessor again on every schedule", "[goker][goker-etcd]") {
  CHECK(fifo_dump("goker/etcd/10492") == std::vector<std::string>{
      "deadlock: all fibers are blocked and no timer is pending",
      "at +0s",
      "fiber 1 \"main\" blocked [sync.RWMutex.Lock] on rwmutex #1 held by fiber 1, 1 writer waiting since +0s"});
  caught("goker/etcd/10492", {0, 0, 0}, kBudget);
  fixed("goker/etcd/10492_fixed", kTwinBudget);
}
