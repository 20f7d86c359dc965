// Mistake: Cond::wait without the re-check loop.
//
// Pickers wait while the ready queue is paused or empty, but with `if`, not
// `while`. The queue is paused, one parcel is pushed, two pickers wait; then
// resume() broadcasts (a state change every picker must see). Both pickers
// wake; the first takes the parcel; the second does not re-check and takes
// from an empty queue.
//
// Caught by: the `exception` verdict on every schedule, from the queue's own
// check, in the picker that woke to nothing:
//   exception in fiber 3 "picker" (...): invariant broken: a picker takes a
//   parcel only from a non-empty ready queue
// Fixed twin: cond_no_recheck_fixed.hpp (`while`, plus close() to release them).
#pragma once

#include <deque>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

// PausableQueue: a ready queue that can be paused; `recheck` picks the
// correct `while` or the buggy `if` around Cond::wait.
class PausableQueue {
 public:
  explicit PausableQueue(bool recheck) : recheck_(recheck) {}

  void push(const Parcel& p) {
    mu_.lock();
    jobs_.push_back(p);
    mu_.unlock();
    changed_.signal();
  }
  void pause() { set([this] { paused_ = true; }); }
  void resume() { set([this] { paused_ = false; }); }
  void close() { set([this] { closed_ = true; }); }

  // take() waits while paused or empty; nullopt once closed.
  std::optional<Parcel> take() {
    mu_.lock();
    if (recheck_) {
      while (!closed_ && (paused_ || jobs_.empty())) changed_.wait();
    } else if (!closed_ && (paused_ || jobs_.empty())) {
      changed_.wait();  // BUG: no re-check after waking
    }
    std::optional<Parcel> job;
    if (!closed_) {
      bool non_empty = !jobs_.empty();
      if (non_empty) {
        job = jobs_.front();
        jobs_.pop_front();
      }
      mu_.unlock();
      check(non_empty, "a picker takes a parcel only from a non-empty ready queue");
      return job;
    }
    mu_.unlock();
    return job;
  }

 private:
  template <class F>
  void set(F change) {
    mu_.lock();
    change();
    mu_.unlock();
    changed_.broadcast();  // a state change: every waiter must re-check
  }

  const bool recheck_;
  Mutex mu_;
  Cond changed_{mu_};
  std::deque<Parcel> jobs_;  // Guarded by mu_.
  bool paused_ = false;      // Guarded by mu_.
  bool closed_ = false;      // Guarded by mu_.
};

// pickers_after_resume() runs the story above; returns how many parcels
// the pickers took.
inline int pickers_after_resume(bool recheck) {
  auto queue = std::make_shared<PausableQueue>(recheck);
  Atomic<int> taken{0};
  queue->pause();
  queue->push(Parcel{1, 1});
  WaitGroup pickers;
  for (int i = 0; i < 2; ++i)
    pickers.go("picker", [queue, &taken] {
      while (queue->take()) taken.fetch_add(1);
    });
  sleep(std::chrono::seconds(1));  // both pickers are waiting
  queue->resume();
  sleep(std::chrono::seconds(1));
  queue->close();
  pickers.wait();
  return taken.load();
}

inline void cond_no_recheck() { pickers_after_resume(false); }

inline Scenario cond_no_recheck_scenario() {
  return {"mistakes/cond_no_recheck", "Cond::wait under `if`: a woken picker takes from an empty queue",
          {sim::Verdict::exception, "picker", sim::FiberState::running, "", "non-empty ready queue"},
          "mistakes/cond_no_recheck_fixed", &cond_no_recheck};
}

}  // namespace lockstep::scenarios
