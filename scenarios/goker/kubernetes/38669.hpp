// GoKer kubernetes/38669: a cache watcher sends its initial events on a result channel nobody
// reads.
//
// Upstream: kubernetes/kubernetes PR 38669 (https://github.com/kubernetes/kubernetes/pull/38669),
// the apiserver cacher's cacheWatcher. GoBench: goker/blocking/kubernetes/38669.
// Bug: process() first sends every initial event on `result` (unbuffered here); the test stops
// the watcher without reading any, and Stop() only closes `input`: the sender is never released.
//
// Verdict: `leak` on every schedule: "process" blocked [chan send].
//
// Fixed twin (goker/kubernetes/38669_fixed), the upstream fix ("Fix leaking goroutines in watch
// cache": Stop() must release a sendWatchCacheEvent() blocked on `result`): the watcher gets a
// `done` channel that stop() closes, and each send is a select with a receive on it.
//
// Port: the watcher is a shared_ptr; its embedded sync.Mutex is a member; the deferred
// close(result) and Stop() of process() run in that order (Go's defers, last first) after the
// input loop.
#pragma once

#include <memory>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_38669 {

template <bool Fixed>
struct CacheWatcher {
  Mutex mu;
  Chan<int> input;
  Chan<int> result;
  // The fix's, closed by stop(); nil in the buggy kernel.
  Chan<Empty> done = Fixed ? Chan<Empty>(0) : Chan<Empty>();
  bool stopped = false;  // guarded by mu

  explicit CacheWatcher(int chan_size) : input(chan_size), result(chan_size) {}

  void process(const std::vector<int>& init_events) {
    for (int event : init_events) send_watch_cache_event(event);
    while (input.recv()) {
    }
    stop();          // defer c.Stop()
    result.close();  // defer close(c.result)
  }
  void send_watch_cache_event(int event) {
    if constexpr (Fixed)
      select(on_send(result, event, [] {}), on_recv(done));
    else
      result.send(event);  // BUG: nobody receives, and stop() cannot release it
  }
  void stop() {
    mu.lock();
    if (!stopped) {
      stopped = true;
      if constexpr (Fixed) done.close();
      input.close();
    }
    mu.unlock();
  }
};

template <bool Fixed>
void kernel() {
  std::vector<int> init_events{1, 2};
  auto w = std::make_shared<CacheWatcher<Fixed>>(0);
  go("process", [w, init_events] { w->process(init_events); });
  w->stop();
}

inline Scenario scenario() {
  return {"goker/kubernetes/38669", "cacheWatcher: initial events sent on a result channel nobody reads",
          {sim::Verdict::leak, "process", sim::FiberState::blocked, "chan send", "leak: main returned"},
          "goker/kubernetes/38669_fixed", &kernel<false>};
}

inline Scenario fixed_scenario() {
  return {"goker/kubernetes/38669_fixed", "cacheWatcher fixed: stop() closes a done channel every send selects on",
          {}, "goker/kubernetes/38669", &kernel<true>};
}

}  // namespace lockstep::scenarios::goker_k8s_38669
