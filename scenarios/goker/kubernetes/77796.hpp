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
// keeps the array); the embedded sync.RWMutex is a member; time.Sleep(10ms) is virtual. 89164
// is the same code with a test that waits on a WaitGroup instead of sleeping.
// No fixed twin: neither the kernel nor its README describes the fix.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_77796 {

struct Cacher {
  RWMutex mu;
  std::vector<int*> watcher_buffer;  // written under mu, read without it (the bug)

  void start_dispatching() {
    mu.lock();
    watcher_buffer.clear();
    mu.unlock();
  }
  void dispatch_event() {
    start_dispatching();
    for (int* w : watcher_buffer) static_cast<void>(w);  // BUG: unlocked read
  }
  static std::shared_ptr<Cacher> make() {  // NewCacherFromConfig
    auto c = std::make_shared<Cacher>();
    go("dispatchEvents", [c] { c->dispatch_event(); });
    return c;
  }
};

inline void kernel() {
  auto cacher = Cacher::make();
  for (int i = 0; i < 3; ++i) {
    go("dispatchEvent", [cacher] { cacher->dispatch_event(); });
    sleep(std::chrono::milliseconds(10));
  }
}

inline Scenario scenario() {
  return {"goker/kubernetes/77796", "Cacher: the watcher buffer reset under the lock, ranged over without it",
          {sim::Verdict::race, "dispatchEvent", sim::FiberState::running, "", "data race"},
          "", 1'000'000, std::chrono::hours(24), &kernel};
}

}  // namespace lockstep::scenarios::goker_k8s_77796
