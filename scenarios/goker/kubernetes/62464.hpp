// GoKer kubernetes/62464: a recursive read lock, with a writer queued between the two RLock()s.
//
// Upstream: kubernetes/kubernetes PR 62464 (https://github.com/kubernetes/kubernetes/pull/62464),
// the kubelet's CPU manager state. GoBench: goker/blocking/kubernetes/62464.
// Bug: GetCPUSetOrDefault() holds s.RLock() and calls GetCPUSet(), which read-locks again; a
// writer (SetDefaultCPUSet) arriving in between blocks every new reader, the first reader included.
//
// Verdict: `leak` (the test only starts the two goroutines): "reconcileState" blocked
// [sync.RWMutex.RLock] while "RemoveContainer" is blocked [sync.RWMutex.Lock].
//
// Fixed twin (goker/kubernetes/62464_fixed): the kernel's description, "RLock should not be
// recursively used": GetCPUSetOrDefault() read-locks once and calls lock-free helpers.
//
// Port: the state is a shared_ptr; `rand.Intn(10) > 5` is `choose(10) > 5`, a recorded decision.
// The embedded sync.RWMutex is a member.
#pragma once

#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_62464 {

struct StateMemory {
  RWMutex mu;

  // The lock-free bodies, which the fix calls with the read lock already held.
  static bool get_cpu_set_locked() { return choose(10) > 5; }
  static void get_default_cpu_set_locked() {}

  template <bool Fixed>
  void get_cpu_set_or_default() {
    mu.rlock();
    if constexpr (Fixed) {
      if (!get_cpu_set_locked()) get_default_cpu_set_locked();
    } else {
      if (!get_cpu_set()) get_default_cpu_set();  // BUG: each read-locks again
    }
    mu.runlock();
  }
  bool get_cpu_set() {
    mu.rlock();
    bool ok = get_cpu_set_locked();
    mu.runlock();
    return ok;
  }
  void get_default_cpu_set() {
    mu.rlock();
    get_default_cpu_set_locked();
    mu.runlock();
  }
  void set_default_cpu_set() {
    mu.lock();
    mu.unlock();
  }
};

template <bool Fixed>
void kernel() {
  auto s = std::make_shared<StateMemory>();
  go("reconcileState", [s] { s->get_cpu_set_or_default<Fixed>(); });
  go("RemoveContainer", [s] {
    s->get_default_cpu_set();
    s->set_default_cpu_set();
  });
}

inline Scenario scenario() {
  return {"goker/kubernetes/62464", "CPU manager state: a recursive RLock with a writer queued in between",
          {sim::Verdict::leak, "reconcileState", sim::FiberState::blocked, "sync.RWMutex.RLock", "leak: main returned"},
          "goker/kubernetes/62464_fixed", &kernel<false>};
}

inline Scenario fixed_scenario() {
  return {"goker/kubernetes/62464_fixed", "CPU manager state fixed: one read lock, lock-free helpers",
          {}, "goker/kubernetes/62464", &kernel<true>};
}

}  // namespace lockstep::scenarios::goker_k8s_62464
