// GoKer kubernetes/79631: the scheduler's backoff queue is popped under the queue's lock and
// read without it.
//
// Upstream: kubernetes/kubernetes PR 79631 (https://github.com/kubernetes/kubernetes/pull/79631),
// the scheduler's PriorityQueue. GoBench: goker/nonblocking/kubernetes/79631.
// Bug: flushBackoffQCompleted() deletes from the heap's map under p.lock; the test reads the
// same map through podBackoffQ.Get() without the lock: a data race.
//
// Verdict: `race` (race-detector build only): the delete in "Until", after the test goroutine's
// read (GoBench's report). In a build without the detector the kernel ends in a leak ("Until"
// waits for ever on the stop channel nobody closes, as in Go); such a build does not explore it.
//
// Port: the map[string]struct{} is a std::map<std::string, Empty> (delete is erase, the read is
// find). Go's delete is a write to the map even when the key is absent; erasing an absent key
// from a std::map stores nothing (an earlier port had the map empty, and no race was ever
// seen), so the heap holds the key "1" that pop() deletes. The find's result is observe()d: an
// unused read is otherwise deleted by the compiler before ThreadSanitizer instruments it. The
// PriorityQueue is a shared_ptr; BackoffUntil's single-case select stays a select.
// No fixed twin: neither the kernel nor its README describes the fix.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "lockstep.hpp"
#include "scenarios/goker/go_idioms.hpp"
#include "scenarios/goker/observe.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_79631 {

struct Heap {
  std::map<std::string, Empty> items{{"1", Empty{}}};  // heapData.items
  void pop() { items.erase("1"); }
  void get() { goker::observe(items.find("1") != items.end()); }  // GetByKey: unlocked read
};

struct PriorityQueue {
  Chan<Empty> stop{0};
  RWMutex lock;
  Heap pod_backoff_q;

  void flush_backoff_q_completed() {
    lock.lock();
    pod_backoff_q.pop();
    lock.unlock();
  }
  static std::shared_ptr<PriorityQueue> make() {  // NewPriorityQueueWithClock, run()
    auto p = std::make_shared<PriorityQueue>();
    go("Until", [p] { goker::backoff_until([&p] { p->flush_backoff_q_completed(); }, p->stop); });
    return p;
  }
};

inline void kernel() {
  WaitGroup wg;
  wg.add(1);
  go("TestKubernetes79631.func1", [&wg] {
    wg.done();
    auto q = PriorityQueue::make();
    q->pod_backoff_q.get();
  });
  wg.wait();
}

inline Scenario scenario() {
  return {"goker/kubernetes/79631", "scheduler queue: the backoff heap popped under the lock, read without it",
          {sim::Verdict::race, "Until", sim::FiberState::running, "", "data race"},
          "", &kernel};
}

}  // namespace lockstep::scenarios::goker_k8s_79631
