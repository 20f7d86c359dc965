// GoKer kubernetes/77796: the cacher resets its watcher buffer under its lock, then ranges over
// it without the lock.
//
// Upstream: kubernetes/kubernetes PR 77796 (https://github.com/kubernetes/kubernetes/pull/77796),
// the apiserver Cacher's dispatchEvent. GoBench: goker/nonblocking/kubernetes/77796.
// Bug: startDispatching() truncates watcherBuffer under c.Lock(); dispatchEvent() then ranges
// over it unlocked, while another dispatchEvent() truncates it again: a data race.
//
// Verdict: `race` (race-detector build only): the truncating write in "dispatchEvent" (the
// test's goroutine), after the read of "dispatchEvents".
//
// Port: watcherBuffer is a std::vector<int*> (`[:0]` is clear(), which keeps the capacity, as Go
// keeps the array) written by move-assigning an empty vector (`= {}` would take the initializer-list
// assignment, which stores nothing into an empty vector): Go's `[:0]` writes the slice header
// even when it is empty, and clear() of an empty vector stores nothing; the ranged-over
// elements are observe()d (scenarios/goker/observe.hpp), or g++ deletes the empty loop's reads
// before ThreadSanitizer instruments them. The test's goroutines get their shared_ptr copies
// from main before any goroutine runs, and take them by move: a copy made later is an acq_rel
// increment that orders it after every fiber that had dropped one (dispatchEvents on exit), an
// edge Go does not have. An earlier port had all three (no store, no read, late copies) and
// the race was never reported. The embedded sync.RWMutex is a member; time.Sleep(10ms) is
// virtual. 89164 is the same code with a test that waits on a WaitGroup instead of sleeping.
// No fixed twin: neither the kernel nor its README describes the fix.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/goker/observe.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_77796 {

struct Cacher {
  RWMutex mu;
  std::vector<int*> watcher_buffer;  // written under mu, read without it (the bug)

  void start_dispatching() {
    mu.lock();
    watcher_buffer = std::vector<int*>();  // Go: `[:0]` (see Port)
    mu.unlock();
  }
  void dispatch_event() {
    start_dispatching();
    for (int* w : watcher_buffer) goker::observe(w);  // BUG: unlocked read
  }
  static std::shared_ptr<Cacher> make() {  // NewCacherFromConfig
    auto c = std::make_shared<Cacher>();
    go("dispatchEvents", [c] { c->dispatch_event(); });
    return c;
  }
};

inline void kernel() {
  auto cacher = Cacher::make();
  std::vector<std::shared_ptr<Cacher>> owners(3, cacher);  // copied before any goroutine runs: see Port
  for (int i = 0; i < 3; ++i) {
    go("dispatchEvent", [c = std::move(owners[i])] { c->dispatch_event(); });
    sleep(std::chrono::milliseconds(10));
  }
}

inline Scenario scenario() {
  return {"goker/kubernetes/77796", "Cacher: the watcher buffer reset under the lock, ranged over without it",
          {sim::Verdict::race, "dispatchEvent", sim::FiberState::running, "", "data race"},
          "", &kernel};
}

}  // namespace lockstep::scenarios::goker_k8s_77796
