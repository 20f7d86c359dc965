// GoKer cockroach#3710: a read lock taken again deeper in the same call
// chain, with a writer arriving in between. https://github.com/cockroachdb/cockroach/pull/3710
//
// ForceRaftLogScanAndProcess read-locks the store's mu and, through
// MaybeAdd -> shouldQueue -> getTruncatableIndexes -> RaftStatus, read-locks
// it again; processRaft's goroutine write-locks it. A writer arriving between
// the two read locks waits for the first, and the second waits for it.
//
// Verdict: `leak` (the test returns at once): fiber
// "ForceRaftLogScanAndProcess" blocked [sync.RWMutex.RLock], the
// "processRaft" goroutine's child "processRaft.func1" blocked
// [sync.RWMutex.Lock]. FIFO runs the scan to its end first and passes.
// Fixed twin (goker/cockroach/3710_fixed): the scan copies the replicas
// under the read lock and calls MaybeAdd after releasing it, so RaftStatus's
// read lock is never nested.
//
// Port differences from Go: the replicas map is keyed by replica address
// (modulo 7) in Go, by 0 and 1 here (no address-dependent decision; the map
// only holds the two replicas); `baseQueue` embeds a Mutex as Go embeds
// sync.Mutex; the store is shared_ptr-owned since the goroutines outlive
// the test function; processRaft's `for { ...; break }` is one pass.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::cockroach3710 {

struct Store;
struct Replica {
  Store* store = nullptr;
};

struct RaftLogQueue {
  void should_queue(Replica* r);
};

struct BaseQueue {
  Mutex mu;
  RaftLogQueue impl;
  void maybe_add(Replica* repl) {
    std::lock_guard g(mu);
    impl.should_queue(repl);
  }
};

struct Store : std::enable_shared_from_this<Store> {
  BaseQueue raft_log_queue;
  std::map<int, Replica*> replicas;
  RWMutex mu;
  Replica r1{this}, r2{this};
  bool fixed = false;

  Store() { replicas = {{0, &r1}, {1, &r2}}; }
  void force_raft_log_scan_and_process() {
    if (fixed) {
      std::vector<Replica*> copy;
      {
        std::shared_lock g(mu);
        for (auto& [_, r] : replicas) copy.push_back(r);
      }
      for (Replica* r : copy) raft_log_queue.maybe_add(r);
      return;
    }
    mu.rlock();
    for (auto& [_, r] : replicas) raft_log_queue.maybe_add(r);  // BUG: RaftStatus read-locks mu again
    mu.runlock();
  }
  void raft_status() { std::shared_lock g(mu); }
  void process_raft() {
    go("processRaft.func1", [s = shared_from_this()] {
      std::vector<Replica*> copy;
      std::lock_guard g(s->mu);
      for (auto& [_, r] : s->replicas) copy.push_back(r);
    });
  }
};

inline void get_truncatable_indexes(Replica* r) { r->store->raft_status(); }
inline void RaftLogQueue::should_queue(Replica* r) { get_truncatable_indexes(r); }

inline void run(bool fixed) {
  auto store = std::make_shared<Store>();
  store->fixed = fixed;
  go("ForceRaftLogScanAndProcess", [store] { store->force_raft_log_scan_and_process(); });
  go("processRaft", [store] { store->process_raft(); });
}

inline Scenario scenario() {
  return {"goker/cockroach/3710", "a read lock taken again deeper in one call chain deadlocks with a writer",
          {sim::Verdict::leak, "ForceRaftLogScanAndProcess", sim::FiberState::blocked, "sync.RWMutex.RLock",
           "leak: main returned"},
          "goker/cockroach/3710_fixed", [] { run(false); }};
}

inline Scenario fixed_scenario() {
  return {"goker/cockroach/3710_fixed", "the replicas are copied under the read lock and queued after it",
          {}, "goker/cockroach/3710", [] { run(true); }};
}

}  // namespace lockstep::scenarios::cockroach3710
