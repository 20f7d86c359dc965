// GoKer kubernetes/26980: a listener waits for its stop channel while holding the lock the test
// needs to stop it.
//
// Upstream: kubernetes/kubernetes PR 26980 (https://github.com/kubernetes/kubernetes/pull/26980),
// the shared informer's processorListener. GoBench: goker/blocking/kubernetes/26980.
// Bug: pop() holds p.lock and, with a notification pending, blocks in a select on stopCh; the
// test closes stopCh only when it returns, after another goroutine has taken p.lock.
//
// Verdict: `deadlock` (main itself blocks forever on resultCh): "pop" blocked [select] holding
// the lock, "main" blocked [chan receive]. On schedules where the locking goroutine wins the lock
// first, the test passes.
//
// Port: the listener is a shared_ptr; pendingNotifications is a std::vector<int>; the deferred
// close(stopCh) is a scope guard in main; the single-case select stays a select, the one with a
// default is try_recv(). p.lock is a Mutex, not an RWMutex: lockstep's Cond takes a Mutex, and
// the kernel only ever write-locks it. No fixed twin:
// neither the kernel nor its README describes the fix.
#pragma once

#include <memory>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/goker/go_idioms.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_26980 {

struct ProcessorListener {
  Mutex lock;  // Go: a sync.RWMutex used only through Lock(), the Cond's Locker
  Cond cond{lock};
  std::vector<int> pending_notifications;

  void add(int notification) {
    lock.lock();
    pending_notifications.push_back(notification);
    cond.broadcast();
    lock.unlock();
  }
  void pop(RecvChan<Empty> stop_ch) {
    lock.lock();
    for (;;) {
      while (pending_notifications.empty()) {
        if (goker::closed(stop_ch)) {
          lock.unlock();
          return;
        }
        cond.wait();
      }
      bool stopped = false;
      select(on_recv(stop_ch, [&] { stopped = true; }));  // BUG: blocks holding p.lock
      if (stopped) {
        lock.unlock();
        return;
      }
    }
  }
};

inline void kernel() {
  auto pl = std::make_shared<ProcessorListener>();
  Chan<Empty> stop_ch(0);
  goker::CloseOnReturn closer{stop_ch};  // Go's `defer close(stopCh)`
  pl->add(1);
  go("pop", [pl, stop_ch] { pl->pop(stop_ch); });
  Chan<Empty> result_ch(0);
  go("lock", [pl, result_ch] {
    pl->lock.lock();
    result_ch.close();
  });
  result_ch.recv();
  pl->lock.unlock();
}

inline Scenario scenario() {
  return {"goker/kubernetes/26980", "processorListener: pop() waits for stop while holding the lock the test needs",
          {sim::Verdict::deadlock, "pop", sim::FiberState::blocked, "select", "deadlock: all fibers are blocked"},
          "", &kernel};
}

}  // namespace lockstep::scenarios::goker_k8s_26980
