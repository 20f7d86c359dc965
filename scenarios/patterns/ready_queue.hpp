// ReadyQueue: parcels ready for pickup, shared by pickers, guarded by a
// Mutex with a Cond (Go's sync.Cond).
//
//   ReadyQueue q;
//   q.push(parcel);                   // wakes one waiting picker: signal()
//   while (auto p = q.pop()) ...      // waits while empty; nullopt once closed
//   q.close();                        // wakes every picker: broadcast()
//
// - pop() waits in a loop, re-checking the condition after every wake-up:
//   another picker may have taken the job between the signal and this one
//   getting the mutex back, and a close wakes everyone (see
//   mistakes/cond_no_recheck for what an `if` does).
// - push() signals: one job needs one picker. close() broadcasts: a state
//   change every waiter must see.
#pragma once

#include <deque>
#include <mutex>
#include <optional>

#include "lockstep.hpp"
#include "scenarios/model.hpp"

namespace lockstep::scenarios {

class ReadyQueue {
 public:
  void push(const Parcel& p) {
    mu_.lock();
    jobs_.push_back(p);
    mu_.unlock();
    ready_.signal();
  }

  // pop() blocks while the queue is empty and open; nullopt once closed and empty.
  std::optional<Parcel> pop() {
    mu_.lock();
    while (jobs_.empty() && !closed_) ready_.wait();
    std::optional<Parcel> job;
    if (!jobs_.empty()) {
      job = jobs_.front();
      jobs_.pop_front();
    }
    mu_.unlock();
    return job;
  }

  void close() {
    mu_.lock();
    closed_ = true;
    mu_.unlock();
    ready_.broadcast();
  }

 private:
  Mutex mu_;
  Cond ready_{mu_};
  std::deque<Parcel> jobs_;  // Guarded by mu_.
  bool closed_ = false;      // Guarded by mu_.
};

}  // namespace lockstep::scenarios
