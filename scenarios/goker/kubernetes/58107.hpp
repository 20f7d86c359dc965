// GoKer kubernetes/58107: workers wait on a queue's condition variable while holding a shared
// read lock; a periodic writer queued behind them shuts out the workers of the other queue.
//
// Upstream: kubernetes/kubernetes PR 58107 (https://github.com/kubernetes/kubernetes/pull/58107),
// the ResourceQuotaController. GoBench: goker/blocking/kubernetes/58107.
// Bug: each worker takes workerLock.RLock() and then waits in its queue's cond.Wait(); Sync()
// takes workerLock.Lock() periodically. With one worker parked in Wait() holding the read lock,
// Sync() waits for the write lock, and Go's writer preference keeps the other queue's worker out
// of RLock(): that queue's signals reach nobody.
//
// Verdict: `leak` (main returns when its signals are sent): a "worker" blocked [sync.Cond.Wait].
// The kernel's signals can run out before a worker waits (HelperSignals never knows whether one
// does), so every leaked schedule has a worker parked in Wait(); the bug's own shape, a "worker"
// blocked [sync.RWMutex.RLock] behind "Sync" while the other waits in Wait() holding the read
// lock, is asserted separately by the test (the first schedule that shows it).
//
// Port: the loops of Sync() and HelperSignals() run 10 times instead of 100,000 (each iteration
// is a scheduling point; 10 is enough to interleave them). Sync()'s `time.Sleep(time.Nanosecond)`
// under the write lock is `yield()`: the simulation's clock moves only when every fiber is
// blocked and main never blocks while it signals, so a virtual sleep would hold the write lock
// until main returned, and then for ever (time stops when main returns). Both workers are named
// "worker" (Go passes them the names "G1" and "G2", unused). Each queue's cond has its own
// Mutex, as Go's `sync.NewCond(&sync.Mutex{})`. No fixed twin: the kernel's fix (Get() without
// the read lock) removes the RLock() shape, but its signals can still run out before a worker
// waits, so it would not pass on every schedule either.
#pragma once

#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_58107 {

inline constexpr int kRounds = 10;  // Go: 100000

struct Queue {  // Go's Type, a RateLimitingInterface
  Mutex l;
  Cond cond{l};
  void get() {
    l.lock();
    cond.wait();
    l.unlock();
  }
  void put() { cond.signal(); }
};

struct ResourceQuotaController {
  RWMutex worker_lock;
  Queue queue;
  Queue missing_usage_queue;

  // worker() runs workFunc() once: it always returns quit == true.
  void worker(Queue& q) {
    worker_lock.rlock();
    q.get();  // BUG: waits holding the read lock
    worker_lock.runlock();
  }
  static void run(const std::shared_ptr<ResourceQuotaController>& rq) {
    go("worker", [rq] { rq->worker(rq->queue); });
    go("worker", [rq] { rq->worker(rq->missing_usage_queue); });
  }
  void sync() {
    for (int i = 0; i < kRounds; ++i) {
      worker_lock.lock();
      yield();  // Go: time.Sleep(time.Nanosecond)
      worker_lock.unlock();
    }
  }
  void helper_signals() {
    for (int i = 0; i < kRounds; ++i) {
      queue.put();
      missing_usage_queue.put();
    }
  }
};

inline void kernel() {  // startResourceQuotaController
  auto rq = std::make_shared<ResourceQuotaController>();
  go("Run", [rq] { ResourceQuotaController::run(rq); });
  go("Sync", [rq] { rq->sync(); });
  rq->helper_signals();
}

inline Scenario scenario() {
  return {"goker/kubernetes/58107", "ResourceQuotaController: workers wait on a cond holding a read lock a writer queues behind",
          {sim::Verdict::leak, "worker", sim::FiberState::blocked, "sync.Cond.Wait", "leak: main returned"},
          "", &kernel};
}

}  // namespace lockstep::scenarios::goker_k8s_58107
