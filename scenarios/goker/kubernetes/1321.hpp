// GoKer kubernetes/1321: a watcher's Stop() needs the lock the distributor holds while it sends
// to that very watcher.
//
// Upstream: kubernetes/kubernetes PR 1321 (https://github.com/kubernetes/kubernetes/pull/1321),
// watch.Mux. GoBench: goker/blocking/kubernetes/1321.
// Bug: distribute() holds m.lock while it sends to w.result, which nobody reads; stopWatching(),
// which would close w.result and so end the send, must take m.lock first.
//
// Verdict: `leak` (the test only starts testMuxWatcherClose): "testMuxWatcherClose" blocked
// [sync.Mutex.Lock] in stopWatching() while "loop" is blocked [chan send] in distribute().
//
// Fixed twin (goker/kubernetes/1321_fixed), the fix the kernel describes: each watcher gets a
// second channel, `stopped`; Stop() closes it before taking m.lock, and distribute() sends in a
// select with a receive on it, so closing it ends the send without the lock.
//
// Port: Go's map of watchers is a std::map (one-key iteration order is the same); the Mux is a
// shared_ptr (it outlives the test function); sends of struct{}{} are sends of lockstep::Empty;
// the package-level globalMtx is a member, so that each run has its own. The twin closes
// `stopped` through a Once, so that a second Stop() cannot close it twice.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <type_traits>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_1321 {

template <bool Fixed>
struct Mux {
  struct Watcher {
    Chan<Empty> result{0};
    // The fix's second channel and the Once that closes it; nil and empty in the buggy kernel.
    Chan<Empty> stopped = Fixed ? Chan<Empty>(0) : Chan<Empty>();
    [[no_unique_address]] std::conditional_t<Fixed, Once, Empty> stop_once;
    std::int64_t id = 0;
  };

  Mutex lock;
  Mutex global_mtx;  // Go's package-level globalMtx, one per kernel run
  std::map<std::int64_t, std::shared_ptr<Watcher>> watchers;

  static std::shared_ptr<Mux> make() {
    auto m = std::make_shared<Mux>();
    go("loop", [m] {
      for (int i = 0; i < 100; ++i) m->distribute();
    });
    return m;
  }
  std::shared_ptr<Watcher> watch() {
    auto w = std::make_shared<Watcher>();
    w->id = static_cast<std::int64_t>(watchers.size());
    global_mtx.lock();
    watchers[w->id] = w;
    global_mtx.unlock();
    return w;
  }
  void distribute() {
    lock.lock();
    global_mtx.lock();
    for (auto& [id, w] : watchers) {
      if constexpr (Fixed)
        select(on_send(w->result, Empty{}, [] {}), on_recv(w->stopped));
      else
        w->result.send(Empty{});  // BUG: blocked here, holding m.lock
    }
    global_mtx.unlock();
    lock.unlock();
  }
  void stop_watching(std::int64_t id) {
    lock.lock();
    auto it = watchers.find(id);
    if (it != watchers.end()) {
      auto w = it->second;
      watchers.erase(it);
      w->result.close();
    }
    lock.unlock();
  }
  void stop(Watcher& w) {
    if constexpr (Fixed) w.stop_once.call([&w] { w.stopped.close(); });
    stop_watching(w.id);
  }
};

template <bool Fixed>
void kernel() {
  go("testMuxWatcherClose", [] {
    auto m = Mux<Fixed>::make();
    auto w = m->watch();
    m->stop(*w);
  });
}

inline Scenario scenario() {
  return {"goker/kubernetes/1321", "watch.Mux: Stop() needs the lock the distributor holds while it sends to the watcher",
          {sim::Verdict::leak, "testMuxWatcherClose", sim::FiberState::blocked, "sync.Mutex.Lock",
           "leak: main returned"},
          "goker/kubernetes/1321_fixed", &kernel<false>};
}

inline Scenario fixed_scenario() {
  return {"goker/kubernetes/1321_fixed", "watch.Mux fixed: a second channel, closed without the lock, ends the send",
          {}, "goker/kubernetes/1321", &kernel<true>};
}

}  // namespace lockstep::scenarios::goker_k8s_1321
