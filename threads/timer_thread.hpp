// TimerThread: the real-thread runtime's timers, on the steady clock.
//
// One thread, started at the first timer, sleeps until the earliest pending
// timer is due and fires it. Timers with equal deadlines fire in the order
// they were added (the TimerHeap's order). fire() runs on the timer thread
// without the heap's lock, so it may add and cancel timers and ready tasks.
//
// cancel() after a timer was taken off the heap but before its fire()
// returned waits for fire() to return (unless called from fire() itself):
// once cancel() returns, the runtime no longer touches the node, so its owner
// may free or re-arm it. A periodic owner that re-armed the node during that
// fire() finds it pending again, and cancel() then removes it.
#pragma once

#include <condition_variable>
#include <mutex>

#include "runtime/timer_heap.hpp"

namespace lockstep::threads::detail {

class TimerThread {
 public:
  using TimerNode = lockstep::detail::TimerNode;

  // add() schedules `node` (not pending); it fires at once, on the calling
  // thread, if its time has come, unless the caller is itself in a fire().
  void add(TimerNode& node);
  // cancel() returns true if `node` was pending and now never fires.
  bool cancel(TimerNode& node) noexcept;

 private:
  [[noreturn]] void run();

  std::mutex mutex_;
  std::condition_variable changed_;  // a new earliest timer, for the timer thread
  std::condition_variable fired_;    // a fire() returned, for cancel()
  lockstep::detail::TimerHeap heap_;
  TimerNode* firing_ = nullptr;  // taken off the heap, fire() not yet returned
  bool started_ = false;
};

}  // namespace lockstep::threads::detail
