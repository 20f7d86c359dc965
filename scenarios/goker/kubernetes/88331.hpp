// GoKer kubernetes/88331: the scheduler's backoff queue is popped under the queue's lock and its
// length read without it.
//
// Upstream: kubernetes/kubernetes PR 88331 (https://github.com/kubernetes/kubernetes/pull/88331),
// the scheduler's PriorityQueue. GoBench: goker/nonblocking/kubernetes/88331.
// Bug: flushBackoffQCompleted() shrinks the heap's slice under p.lock; the test reads its length
// through podBackoffQ.Len() without the lock: a data race.
//
// Verdict: `race` (race-detector build only): the pop in "Until", after the test goroutine's
// read (GoBench's report). In a build without the detector the kernel ends in a leak ("Until"
// waits for ever on the stop channel nobody closes, as in Go); such a build does not explore it.
//
// Port: the []struct{} queue is a std::vector<Empty> (`queue[0:len-1]` is pop_back()); the
// PriorityQueue is a shared_ptr; BackoffUntil's single-case select stays a select. The test's
// Len() is observe()d (scenarios/goker/observe.hpp): g++ deletes an unused read before
// ThreadSanitizer instruments it, and an earlier port's was never reported (the run ended in
// the leak). No fixed twin: neither the kernel nor its README describes the fix.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/goker/go_idioms.hpp"
#include "scenarios/goker/observe.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_88331 {

struct Heap {
  std::vector<Empty> queue{Empty{}, Empty{}};  // NewWithRecorder: two items
  void pop() { queue.pop_back(); }
  std::size_t len() const { return queue.size(); }
};

struct PriorityQueue {
  Chan<Empty> stop{0};
  RWMutex lock;
  Heap pod_backoff_q;
  Heap active_q;

  void flush_backoff_q_completed() {
    lock.lock();
    pod_backoff_q.pop();
    lock.unlock();
  }
  static std::shared_ptr<PriorityQueue> make() {  // createAndRunPriorityQueue
    auto p = std::make_shared<PriorityQueue>();
    go("Until", [p] { goker::backoff_until([&p] { p->flush_backoff_q_completed(); }, p->stop); });
    return p;
  }
};

inline void kernel() {
  WaitGroup wg;
  wg.add(1);
  go("TestKubernetes88331.func1", [&wg] {
    wg.done();
    auto p = PriorityQueue::make();
    goker::observe(p->pod_backoff_q.len());  // BUG: unlocked read
  });
  wg.wait();
}

inline Scenario scenario() {
  return {"goker/kubernetes/88331", "scheduler queue: the backoff heap popped under the lock, its length read without it",
          {sim::Verdict::race, "Until", sim::FiberState::running, "", "data race"},
          "", &kernel};
}

}  // namespace lockstep::scenarios::goker_k8s_88331
