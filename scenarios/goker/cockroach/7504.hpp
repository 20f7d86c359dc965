// GoKer cockroach#7504: AB-BA deadlock between a lease's mutex and the
// table name cache's mutex. https://github.com/cockroachdb/cockroach/pull/7504
//
// AcquireByName locks the name cache (B), then the lease it finds (A);
// Release locks the table state, then the lease (A), and removing the lease
// from the name cache locks it (B) while still holding A.
//
// Verdict: `deadlock` (the test waits for both goroutines): fiber
// "AcquireByName" blocked [sync.Mutex.Lock] on the lease's mutex,
// "Release" on the name cache's, main on the WaitGroup. FIFO runs
// AcquireByName to its end first and passes.
// Fixed twin (goker/cockroach/7504_fixed): the fix: release removes the
// lease from the name cache after unlocking the lease, so no path holds A
// while taking B.
//
// Port differences from Go: LeaseSet's slice of *LeaseState is a vector of
// pointers into leases the test owns (Go's collector keeps a removed lease
// alive while someone holds it); tableNameCache.tables and LeaseManager.tables are std::maps;
// the two leases both have id 0, as in Go (NewLeaseSet never calls insert);
// the goroutines G1 and G2 are the fibers "AcquireByName" and "Release"; the
// nil-lease panic of get() cannot happen here and is left out; the
// padding field of LeaseManager is left out.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::cockroach7504 {

struct LeaseState {
  Mutex mu;  // A
  int id = 0;
};

inline int make_cache_key(const LeaseState& lease) { return lease.id; }

struct LeaseSet {
  std::vector<LeaseState*> data;

  LeaseState* find(int id) { return data[static_cast<std::size_t>(id)]; }
  void remove(LeaseState* s) {
    for (auto it = data.begin(); it != data.end(); ++it)
      if (*it == s) {
        data.erase(it);
        break;
      }
  }
};

struct TableNameCache {
  Mutex mu;  // B
  std::map<int, LeaseState*> tables;  // guarded by mu

  void get(int id) {
    std::lock_guard b(mu);
    auto it = tables.find(id);
    if (it == tables.end()) return;
    std::lock_guard a(it->second->mu);  // A under B
  }
  void remove(LeaseState* lease) {
    std::lock_guard b(mu);
    int key = make_cache_key(*lease);
    auto it = tables.find(key);
    if (it != tables.end() && it->second == lease) tables.erase(it);
  }
};

struct TableState {
  TableNameCache* table_name_cache = nullptr;
  Mutex mu;
  LeaseSet* active = nullptr;
  bool fixed = false;

  void release(LeaseState* lease) {
    std::lock_guard t(mu);
    LeaseState* s = active->find(make_cache_key(*lease));
    if (fixed) {
      { std::lock_guard a(s->mu); }
      remove_lease(s);
      return;
    }
    std::lock_guard a(s->mu);
    remove_lease(s);  // BUG: B under A
  }
  void remove_lease(LeaseState* lease) {
    active->remove(lease);
    table_name_cache->remove(lease);
  }
};

struct LeaseManager {
  TableNameCache* table_names = nullptr;
  std::map<int, TableState*> tables;

  void acquire_by_name(int id) { table_names->get(id); }
  TableState* find_table_state(LeaseState*) {
    auto it = tables.find(0);
    return it == tables.end() ? nullptr : it->second;
  }
  void release(LeaseState* lease) { find_table_state(lease)->release(lease); }
};

inline void run(bool fixed) {
  constexpr int kLeaseNum = 2;
  std::vector<std::unique_ptr<LeaseState>> leases;  // owns them, as Go's heap does
  LeaseSet lset;
  for (int i = 0; i < kLeaseNum; ++i) lset.data.push_back(leases.emplace_back(std::make_unique<LeaseState>()).get());
  TableNameCache nc;
  for (int i = 0; i < kLeaseNum; ++i) nc.tables[i] = lset.find(i);
  TableState ts;
  ts.table_name_cache = &nc;
  ts.active = &lset;
  ts.fixed = fixed;
  LeaseManager mgr{&nc, {{0, &ts}}};
  WaitGroup wg;
  wg.add(2);
  go("AcquireByName", [&] {
    mgr.acquire_by_name(0);  // locks B, then A
    wg.done();
  });
  go("Release", [&] {
    mgr.release(lset.find(0));  // locks A, then B
    wg.done();
  });
  wg.wait();
}

inline Scenario scenario() {
  return {"goker/cockroach/7504", "AB-BA deadlock: name cache then lease against lease then name cache",
          {sim::Verdict::deadlock, "AcquireByName", sim::FiberState::blocked, "sync.Mutex.Lock",
           "deadlock: all fibers are blocked"},
          "goker/cockroach/7504_fixed", [] { run(false); }};
}

inline Scenario fixed_scenario() {
  return {"goker/cockroach/7504_fixed", "the lease is removed from the name cache after its mutex is released",
          {}, "goker/cockroach/7504", [] { run(true); }};
}

}  // namespace lockstep::scenarios::cockroach7504
