// GoKer kubernetes/13135: the cacher's lock and the watch cache's lock taken in opposite orders.
//
// Upstream: kubernetes/kubernetes PR 13135 (https://github.com/kubernetes/kubernetes/pull/13135),
// the apiserver Cacher. GoBench: goker/blocking/kubernetes/13135.
// Bug: startCaching() locks the Cacher, then Replace() locks the WatchCache (whose onReplace
// callback unlocks the Cacher); Add() locks the WatchCache, then its onEvent callback locks the
// Cacher. Util() calls startCaching() again until the stop channel closes: AB-BA.
//
// Verdict: `leak` (the test returns once NewCacher() has): "Add" blocked [sync.Mutex.Lock] on
// the Cacher, "Util" blocked [sync.RWMutex.Lock] on the WatchCache.
//
// Fixed twin (goker/kubernetes/13135_fixed), the upstream fix ("Fix deadlock in Cacher on etcd
// errors"): a separate `usable` RWMutex, not the Cacher's own lock, is what startCaching() takes
// and onReplace releases, so the event path's Cacher lock is never held across the WatchCache's.
//
// Port: Go's `time.Sleep(0)` in Util is `yield()`: a zero sleep returns at once in both, but Go
// runs the other goroutines in parallel while Util spins, and the simulation switches fibers only
// at scheduling points (FIFO never preempts), so the spinning loop gives way. A spinning loop stops
// spinning after kSpinRounds = 100 rounds and blocks until its stop channel closes: with Go's fair
// scheduler the goroutine that closes it runs within a few rounds, but PCT's strict priorities let
// a spinner that outranks it spin for ever (a livelock verdict that is the strategy's, not the kernel's, since fixed: PCT is fair past its step bound). The bug's window lies in the first rounds. The package variable StopChannel is a local
// channel passed to the cacher; the WatchCache's callbacks are std::function members; the Cacher
// and WatchCache are shared_ptrs. `go close(StopChannel)` is a goroutine named "close". The
// buggy kernel has no `usable` lock (an Empty in its place), so its dump keeps Go's objects.
#pragma once

#include <functional>
#include <memory>
#include <type_traits>

#include "lockstep.hpp"
#include "scenarios/goker/go_idioms.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_13135 {

struct WatchCache {
  RWMutex mu;
  std::function<void()> on_replace;  // guarded by mu
  std::function<void()> on_event;    // guarded by mu

  void set_on_event(std::function<void()> f) {
    mu.lock();
    on_event = std::move(f);
    mu.unlock();
  }
  void set_on_replace(std::function<void()> f) {
    mu.lock();
    on_replace = std::move(f);
    mu.unlock();
  }
  void add() {  // processEvent()
    mu.lock();
    if (on_event) on_event();  // locks the Cacher: B then A
    mu.unlock();
  }
  void replace() {
    mu.lock();
    if (on_replace) on_replace();
    mu.unlock();
  }
};

template <bool Fixed>
struct Cacher {
  Mutex mu;
  [[no_unique_address]] std::conditional_t<Fixed, RWMutex, Empty> usable;  // the fix's
  WaitGroup initialized;
  Once init_once;
  std::shared_ptr<WatchCache> watch_cache = std::make_shared<WatchCache>();

  void process_event() {
    mu.lock();
    mu.unlock();
  }
  void start_caching() {
    lock_for_replace();      // A, unlocked by onReplace
    watch_cache->replace();  // then B: the reflector's ListAndWatch -> syncWith -> Replace
  }
  void lock_for_replace() {
    if constexpr (Fixed)
      usable.lock();
    else
      mu.lock();  // BUG: the lock the event path takes under the WatchCache's
  }
  void unlock_after_replace() {
    if constexpr (Fixed)
      usable.unlock();
    else
      mu.unlock();
  }
};

inline constexpr int kSpinRounds = 100;  // see Port

inline void util(const std::function<void()>& f, RecvChan<Empty> stop_ch) {
  for (int round = 0; round < kSpinRounds; ++round) {
    if (goker::closed(stop_ch)) return;
    f();
    yield();  // Go: time.Sleep(period), period 0
  }
  stop_ch.recv();
}

template <bool Fixed>
std::shared_ptr<Cacher<Fixed>> new_cacher(RecvChan<Empty> stop_ch) {
  auto cacher = std::make_shared<Cacher<Fixed>>();
  cacher->initialized.add(1);
  Cacher<Fixed>* c = cacher.get();  // the callbacks live in the cacher's own WatchCache
  cacher->watch_cache->set_on_replace([c] {
    c->init_once.call([c] { c->initialized.done(); });
    c->unlock_after_replace();
  });
  cacher->watch_cache->set_on_event([c] { c->process_event(); });
  go("Util", [cacher, stop_ch] { util([&cacher] { cacher->start_caching(); }, stop_ch); });
  cacher->initialized.wait();
  return cacher;
}

template <bool Fixed>
void kernel() {
  Chan<Empty> stop_channel(0);
  auto c = new_cacher<Fixed>(stop_channel);
  go("Add", [c] { c->watch_cache->add(); });
  go("close", [stop_channel] { stop_channel.close(); });
}

inline Scenario scenario() {
  return {"goker/kubernetes/13135", "Cacher: the cacher's and the watch cache's locks taken in opposite orders",
          {sim::Verdict::leak, "Add", sim::FiberState::blocked, "sync.Mutex.Lock", "leak: main returned"},
          "goker/kubernetes/13135_fixed", &kernel<false>};
}

inline Scenario fixed_scenario() {
  return {"goker/kubernetes/13135_fixed", "Cacher fixed: a separate `usable` lock guards the replace, not the Cacher's own",
          {}, "goker/kubernetes/13135", &kernel<true>};
}

}  // namespace lockstep::scenarios::goker_k8s_13135
