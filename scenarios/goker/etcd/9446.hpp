// GoKer etcd/9446: a read transaction's buffer is reset by one goroutine
// while another ranges over it.
//
// Upstream: etcd-io/etcd pull request 9446,
// https://github.com/etcd-io/etcd/pull/9446 (GoBench
// goker/nonblocking/etcd/9446, data race).
//
// readTx.reset() deletes every bucket of the buffer's map while
// UnsafeRange() looks a bucket up, in two goroutines with no lock (the
// "Unsafe" is the caller's promise to hold one, which the test breaks).
//
// Verdict: race (only the race-detector build sees it), reported in
// "TestEtcd9446.func1.2" (UnsafeRange) reading the map
// "TestEtcd9446.func1.1" (reset) wrote. Every other build passes on every
// schedule.
//
// Port differences from Go:
// - The map[string]struct{} is a plain std::map<std::string, Empty>; Go's
//   `_ = m["1"]` is a find() (operator[] would insert, a write).
// - The embedded txBuffer / txReadBuffer are one struct.
// - Goroutines: "TestEtcd9446.func1" and its ".1" (reset) and ".2"
//   (UnsafeRange).
//
// No fixed twin: the README states no fix.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::etcd9446 {

struct ReadTx {
  std::map<std::string, Empty> buckets;  // the racy map: no lock at all

  void reset() {
    for (auto it = buckets.begin(); it != buckets.end();) it = buckets.erase(it);
  }
  bool unsafe_range() const { return buckets.find("1") != buckets.end(); }
};

inline void run() {
  WaitGroup wg;
  wg.add(3);
  go("TestEtcd9446.func1", [&wg] {
    auto txn = std::make_shared<ReadTx>();
    txn->buckets["1"] = Empty{};
    go("TestEtcd9446.func1.1", [txn, &wg] {
      txn->reset();
      wg.done();
    });
    go("TestEtcd9446.func1.2", [txn, &wg] {
      (void)txn->unsafe_range();
      wg.done();
    });
    wg.done();
  });
  wg.wait();
}

}  // namespace lockstep::scenarios::goker::etcd9446

namespace lockstep::scenarios {

inline Scenario goker_etcd9446() {
  return {"goker/etcd/9446", "etcd#9446: a read buffer is reset while another goroutine ranges over it",
          {sim::Verdict::race, "TestEtcd9446.func1.2", sim::FiberState::running, "", "data race"},
          "", &goker::etcd9446::run};
}

}  // namespace lockstep::scenarios
