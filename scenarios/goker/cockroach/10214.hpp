// GoKer cockroach#10214: an AB-BA deadlock between a store's coalescedMu and
// a replica's raftMu. https://github.com/cockroachdb/cockroach/pull/10214
//
// sendQueuedHeartbeats holds the store's coalescedMu (A) while it reports
// every replica unreachable, which takes each replica's raftMu (B); tick
// holds raftMu (B) and, to coalesce a heartbeat, takes coalescedMu (A).
//
// Verdict: `leak` (the test returns at once; the two goroutines then block
// each other): fiber "tick" blocked [sync.Mutex.Lock] on coalescedMu,
// "sendQueuedHeartbeats" on raftMu. FIFO runs each goroutine to its end and
// never sees it; a switch at a lock is needed.
// Fixed twin (goker/cockroach/10214_fixed): the upstream fix, which copies the
// queued responses under coalescedMu and releases it before taking raftMu.
//
// Port differences from Go:
// - maybeCoalesceHeartbeat switches on a replica's address modulo 3, whose
//   three cases all lock; the port always locks (no address-dependent
//   decision in a simulation, and the outcome is the same).
// - Go's `replicas map[int]*Replica` keyed 0 and 1 is a vector; `defer
//   Unlock` is std::lock_guard; the objects are shared_ptr-owned since the
//   goroutines outlive the test function.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::cockroach10214 {

struct Store;

struct Replica {
  Mutex raft_mu;
  Mutex mu;
  Store* store = nullptr;

  void report_unreachable() { std::lock_guard b(raft_mu); }
  void tick() {
    std::lock_guard b(raft_mu);  // B
    tick_raft_mu_locked();
  }
  void tick_raft_mu_locked() {
    std::lock_guard m(mu);
    maybe_quiesce_locked();
  }
  bool maybe_quiesce_locked() {
    for (int i = 0; i < 2; ++i)
      if (!maybe_coalesce_heartbeat()) return true;
    return false;
  }
  bool maybe_coalesce_heartbeat();
};

struct Store {
  Mutex coalesced_mu;                    // A
  std::vector<int> heartbeat_responses;  // guarded by coalesced_mu
  std::vector<Replica*> replicas;

  void send_queued_heartbeats() {
    std::lock_guard a(coalesced_mu);
    for (std::size_t i = 0; i < heartbeat_responses.size(); ++i) send_queued_heartbeats_to_node();  // BUG: B under A
  }
  void send_queued_heartbeats_to_node() {
    for (Replica* r : replicas) r->report_unreachable();
  }
  // The fix: take what is queued under A, then report without holding A.
  void send_queued_heartbeats_fixed() {
    std::size_t queued = 0;
    {
      std::lock_guard a(coalesced_mu);
      queued = heartbeat_responses.size();
      heartbeat_responses.clear();
    }
    for (std::size_t i = 0; i < queued; ++i) send_queued_heartbeats_to_node();
  }
};

inline bool Replica::maybe_coalesce_heartbeat() {
  store->coalesced_mu.lock();  // A, under B
  store->coalesced_mu.unlock();
  return true;
}

struct World {
  Store store;
  Replica rp1, rp2;
  World() {
    store.heartbeat_responses = {1, 2};
    rp1.store = rp2.store = &store;
    store.replicas = {&rp1, &rp2};
  }
};

inline void run(bool fixed) {
  auto w = std::make_shared<World>();
  go("sendQueuedHeartbeats", [w, fixed] {
    if (fixed)
      w->store.send_queued_heartbeats_fixed();
    else
      w->store.send_queued_heartbeats();
  });
  go("tick", [w] { w->rp1.tick(); });
}

inline Scenario scenario() {
  return {"goker/cockroach/10214", "AB-BA deadlock: coalescedMu then raftMu against raftMu then coalescedMu",
          {sim::Verdict::leak, "tick", sim::FiberState::blocked, "sync.Mutex.Lock", "leak: main returned"},
          "goker/cockroach/10214_fixed", [] { run(false); }};
}

inline Scenario fixed_scenario() {
  return {"goker/cockroach/10214_fixed", "coalescedMu is released before any raftMu is taken",
          {}, "goker/cockroach/10214", [] { run(true); }};
}

}  // namespace lockstep::scenarios::cockroach10214
