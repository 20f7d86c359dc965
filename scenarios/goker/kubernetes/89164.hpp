// GoKer kubernetes/89164: the cacher resets its watcher buffer under its lock, then ranges over
// it without the lock (77796 again, a later upstream report).
//
// Upstream: kubernetes/kubernetes PR 89164 (https://github.com/kubernetes/kubernetes/pull/89164),
// the apiserver Cacher's dispatchEvent. GoBench: goker/nonblocking/kubernetes/89164.
// Bug: startDispatching() truncates watcherBuffer under c.Lock(); dispatchEvent() ranges over it
// unlocked; the cacher's own dispatchEvents goroutine and the test's goroutines race on it.
//
// Verdict: `race` (race-detector build only): the truncating write in "dispatchEvents", after a
// test goroutine's read (GoBench's report).
//
// Port: as 77796 (watcherBuffer a std::vector<int*>, `[:0]` assigns an empty one; the range's
// reads observe()d; the test's shared_ptr copies made before any goroutine runs, then moved); the test's per-round
// WaitGroup is a local of the loop, captured by reference (the test waits for it). No fixed
// twin: neither the kernel nor its README describes the fix.
#pragma once

#include <memory>

#include "lockstep.hpp"
#include "scenarios/goker/kubernetes/77796.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_89164 {

using goker_k8s_77796::Cacher;

inline void kernel() {
  auto cacher = Cacher::make();
  std::vector<std::shared_ptr<Cacher>> owners(3, cacher);  // copied before any goroutine runs (77796)
  for (int i = 0; i < 3; ++i) {
    WaitGroup wg;
    wg.add(1);
    go("dispatchEvent", [c = std::move(owners[i]), &wg] {
      c->dispatch_event();
      wg.done();
    });
    wg.wait();
  }
}

inline Scenario scenario() {
  return {"goker/kubernetes/89164", "Cacher: the watcher buffer reset under the lock, ranged over without it",
          {sim::Verdict::race, "dispatchEvents", sim::FiberState::running, "", "data race"},
          "", &kernel};
}

}  // namespace lockstep::scenarios::goker_k8s_89164
