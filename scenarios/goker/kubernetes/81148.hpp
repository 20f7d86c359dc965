// GoKer kubernetes/81148: a test back-dates a pod's timestamp in the unschedulable queue without
// the queue's lock, while the queue's flush loop reads it under the lock.
//
// Upstream: kubernetes/kubernetes PR 81148 (https://github.com/kubernetes/kubernetes/pull/81148),
// the scheduler's PriorityQueue test. GoBench: goker/nonblocking/kubernetes/81148.
// Bug: flushUnschedulableQLeftover() reads every PodInfo.Timestamp under p.lock; the test writes
// one Timestamp directly: a data race.
//
// Verdict: `race` (race-detector build only): the read in "Until", after the test goroutine's
// write (GoBench's report).
//
// Port: time.Time is lockstep's TimePoint and time.Now() is Clock::now() (virtual); the map of
// *PodInfo is a std::map of shared_ptrs; BackoffUntil's single-case select stays a select. The
// flush's read is observe()d (scenarios/goker/observe.hpp): g++ deletes an unused read before
// ThreadSanitizer instruments it, and an earlier port's was never reported. No fixed twin:
// neither the kernel nor its README describes the fix.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "lockstep.hpp"
#include "scenarios/goker/go_idioms.hpp"
#include "scenarios/goker/observe.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_81148 {

inline constexpr Duration kUnschedulableQTimeInterval = std::chrono::seconds(60);

struct PodInfo {
  std::string pod;
  TimePoint timestamp;
};

struct PriorityQueue {
  RWMutex lock;
  std::map<std::string, std::shared_ptr<PodInfo>> unschedulable_q;  // podInfoMap, keyed by pod name

  void flush_unschedulable_q_leftover() {
    lock.lock();
    for (auto& [name, info] : unschedulable_q) goker::observe(info->timestamp.time_since_epoch().count());  // the read
    lock.unlock();
  }
  static std::shared_ptr<PriorityQueue> make(RecvChan<Empty> stop) {
    auto p = std::make_shared<PriorityQueue>();
    go("Until", [p, stop] { goker::backoff_until([&p] { p->flush_unschedulable_q_leftover(); }, stop); });
    return p;
  }
  void add_or_update_unschedulable_pod(const std::string& pod) {
    lock.lock();
    unschedulable_q[pod] = std::make_shared<PodInfo>(PodInfo{pod, Clock::now()});
    lock.unlock();
  }
};

inline void kernel() {
  Chan<Empty> stop(0);
  WaitGroup wg;
  wg.add(1);
  go("TestKubernetes81148.func1", [&wg, stop] {
    auto q = PriorityQueue::make(stop);
    const std::string high_pod = "1";
    q->add_or_update_unschedulable_pod(high_pod);
    q->unschedulable_q.at(high_pod)->timestamp = Clock::now() - kUnschedulableQTimeInterval;  // BUG: unlocked write
    wg.done();
  });
  wg.wait();
  stop.close();
}

inline Scenario scenario() {
  return {"goker/kubernetes/81148", "scheduler queue test: a pod's timestamp written without the lock its flusher reads under",
          {sim::Verdict::race, "Until", sim::FiberState::running, "", "data race"},
          "", &kernel};
}

}  // namespace lockstep::scenarios::goker_k8s_81148
