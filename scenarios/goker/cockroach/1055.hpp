// GoKer cockroach#1055: Stop() waits for a worker while holding the lock the
// worker needs. https://github.com/cockroachdb/cockroach/pull/1055
//
// A worker's StartTask reads `draining` (still 0) without the lock, then
// waits for the stopper's mutex; Stop() holds that mutex, sets draining,
// closes the stop channel and waits for the worker's SetStopped, which never
// comes: the test, waiting for Stop() to finish, blocks forever.
//
// Verdict: `deadlock` (main waits on `done`): fiber "quiesce-and-stop"
// blocked [sync.WaitGroup.Wait]. The kernel also holds a second deadlock of
// its own (GoBench issue #7: StartTask adds to `drain` and nothing ever
// calls Done, so a task started before Quiesce makes Quiesce's drain.Wait
// block forever); it ends with the same fiber in the same wait, so the
// expectation covers both. Every schedule lockstep catches is that one:
// the upstream deadlock (a "worker" blocked [sync.Mutex.Lock] while Stop()
// waits on the stop group) needs all three workers kept off the CPU through
// the Quiesces and one preempted between its load and its lock; none of
// 10,000 random schedules shows it (the test asserts so).
// No fixed twin: the kernel's tasks never finish, so no fix of the described
// bug passes every schedule without rewriting the kernel's test as well.
//
// Port differences from Go:
// - Quiesce writes `draining` plainly while StartTask loads it atomically
//   (a data race in Go, not the bug); here both use one Atomic<int>.
// - `chan struct{}` is Chan<Empty>; `defer Unlock` is std::lock_guard.
#pragma once

#include <array>
#include <memory>
#include <mutex>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::cockroach1055 {

struct Stopper {
  Chan<Empty> stopper{0};
  WaitGroup stop;
  Mutex mu;
  Atomic<int> draining{0};
  WaitGroup drain;

  void add_worker() { stop.add(1); }
  RecvChan<Empty> should_stop() const { return stopper; }
  void set_stopped() { stop.done(); }
  void quiesce() {
    std::lock_guard g(mu);
    draining.store(1);
    drain.wait();
    draining.store(0);
  }
  void stop_all() {
    std::lock_guard g(mu);
    draining.store(1);
    drain.wait();
    stopper.close();
    stop.wait();  // BUG: waits for workers while holding mu
  }
  bool start_task() {
    if (draining.load() == 0) {
      std::lock_guard g(mu);  // the worker waits here while Stop() holds mu
      drain.add(1);
      return true;
    }
    return false;
  }
};

inline void run() {
  auto stoppers = std::make_shared<std::array<Stopper, 3>>();
  for (Stopper& s : *stoppers) {
    s.add_worker();
    go("worker", [stoppers, &s] {
      s.start_task();
      s.should_stop().recv();
      s.set_stopped();
    });
  }
  Chan<Empty> done(0);
  go("quiesce-and-stop", [stoppers, done] {
    for (Stopper& s : *stoppers) s.quiesce();
    for (Stopper& s : *stoppers) s.stop_all();
    done.close();
  });
  done.recv();
}

inline Scenario scenario() {
  return {"goker/cockroach/1055", "Stop() waits for a worker while holding the mutex the worker's StartTask needs",
          {sim::Verdict::deadlock, "quiesce-and-stop", sim::FiberState::blocked, "sync.WaitGroup.Wait",
           "deadlock: all fibers are blocked"},
          "", &run};
}

}  // namespace lockstep::scenarios::cockroach1055
