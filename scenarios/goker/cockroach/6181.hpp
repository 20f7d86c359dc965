// GoKer cockroach#6181: a read lock taken again through fmt's %s, with a
// writer arriving in between. https://github.com/cockroachdb/cockroach/pull/6181
//
// LookupRangeDescriptor read-locks rangeCacheMu and formats the cache with
// %s, whose String() read-locks it again; then it write-locks it. With three
// lookups, one's Lock() can arrive between another's two read locks: the
// writer waits for the first read lock, the second waits for the writer.
//
// Verdict: `leak` (the test returns at once; its goroutine then waits for
// the lookups): a fiber "doLookupWithToken" blocked [sync.RWMutex.RLock],
// another blocked [sync.RWMutex.Lock], and "testRangeCacheCoalescedRquests"
// blocked [sync.WaitGroup.Wait]. FIFO runs each lookup to its end: passes.
// Fixed twin (goker/cockroach/6181_fixed): the fix formats with the
// lock-free stringLocked() while holding the read lock.
//
// Port differences from Go: fmt.Printf("%s", rdc) is a fmt::format of
// rdc.string() (the nested read lock), its output dropped (a scenario
// prints nothing); the three lookup goroutines are fibers
// "doLookupWithToken" and the test's goroutine
// "testRangeCacheCoalescedRquests" (Go's spelling).
#pragma once

#include <fmt/format.h>

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::cockroach6181 {

struct RangeDescriptorCache {
  RWMutex range_cache_mu;
  bool fixed = false;

  void lookup_range_descriptor() {
    range_cache_mu.rlock();
    std::string line = fmt::format("lookup range descriptor: {}", fixed ? string_locked() : string());  // BUG: string()
    (void)line;
    range_cache_mu.runlock();
    range_cache_mu.lock();
    range_cache_mu.unlock();
  }
  std::string string() {
    std::shared_lock g(range_cache_mu);
    return string_locked();
  }
  std::string string_locked() const { return "something here"; }
};

inline void do_lookup_with_token(RangeDescriptorCache& rc) { rc.lookup_range_descriptor(); }

inline void test_range_cache_coalesced_requests(bool fixed) {
  auto cache = std::make_shared<RangeDescriptorCache>();  // initTestDescriptorDB()
  cache->fixed = fixed;
  WaitGroup wg;  // pauseLookupResumeAndAssert
  for (int i = 0; i < 3; ++i) {
    wg.add(1);
    go("doLookupWithToken", [cache, &wg] {
      do_lookup_with_token(*cache);
      wg.done();
    });
  }
  wg.wait();
}

inline void run(bool fixed) {
  go("testRangeCacheCoalescedRquests", [fixed] { test_range_cache_coalesced_requests(fixed); });
}

inline Scenario scenario() {
  return {"goker/cockroach/6181", "a read lock taken again inside formatting deadlocks with a writer",
          {sim::Verdict::leak, "doLookupWithToken", sim::FiberState::blocked, "sync.RWMutex.RLock",
           "leak: main returned"},
          "goker/cockroach/6181_fixed", [] { run(false); }};
}

inline Scenario fixed_scenario() {
  return {"goker/cockroach/6181_fixed", "formatting under the read lock uses the lock-free stringLocked()",
          {}, "goker/cockroach/6181", [] { run(true); }};
}

}  // namespace lockstep::scenarios::cockroach6181
