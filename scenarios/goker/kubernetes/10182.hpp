// GoKer kubernetes/10182: a pod status sent on a channel while holding the lock its reader needs.
//
// Upstream: kubernetes/kubernetes PR 10182 (https://github.com/kubernetes/kubernetes/pull/10182),
// the kubelet's status manager. GoBench: goker/blocking/kubernetes/10182.
// Bug: SetPodStatus() sends on the unbuffered podStatusChannel while it holds podStatusesLock; the
// sync loop, having taken the previous status, wants that lock in DeletePodStatus() before it
// receives again: the second SetPodStatus and the sync loop wait for each other.
//
// Verdict: `leak` (the test function returns at once): "SetPodStatus" blocked [chan send] while
// the sync loop is blocked [sync.RWMutex.Lock].
//
// Port: the statusManager is a shared_ptr (Go's heap object outlives the test function); the
// goroutines are named after the functions they run ("Start", its loop "syncBatch",
// "SetPodStatus"). No fixed twin: neither the kernel nor its README describes the fix.
#pragma once

#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_10182 {

struct StatusManager {
  RWMutex pod_statuses_lock;
  Chan<bool> pod_status_channel{0};

  void delete_pod_status() {
    pod_statuses_lock.lock();
    pod_statuses_lock.unlock();
  }
  void sync_batch() {
    pod_status_channel.recv();
    delete_pod_status();
  }
  void set_pod_status() {
    pod_statuses_lock.lock();
    pod_status_channel.send(true);  // BUG: sent while holding the lock the receiver needs next
    pod_statuses_lock.unlock();
  }
  static void start(const std::shared_ptr<StatusManager>& s) {
    go("syncBatch", [s] {
      for (int i = 0; i < 2; ++i) s->sync_batch();
    });
  }
};

inline void kernel() {
  auto s = std::make_shared<StatusManager>();
  go("Start", [s] { StatusManager::start(s); });
  go("SetPodStatus", [s] { s->set_pod_status(); });
  go("SetPodStatus", [s] { s->set_pod_status(); });
}

inline Scenario scenario() {
  return {"goker/kubernetes/10182", "kubelet status manager: a status sent on a channel under the lock its reader needs",
          {sim::Verdict::leak, "SetPodStatus", sim::FiberState::blocked, "chan send", "leak: main returned"},
          "", &kernel};
}

}  // namespace lockstep::scenarios::goker_k8s_10182
