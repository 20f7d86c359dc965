// WorkerTimers: one worker's pending timers, fired by the workers.
//
// Each worker of the M:N runtime has a heap; a goroutine's timers go to its
// worker's heap (a thread that is not a worker uses one picked by the
// runtime). A worker fires its due timers whenever it schedules; an idle
// worker sleeps until the earliest timer of any heap, and fires due timers
// of other workers' heaps while it looks for work, so a worker stuck in a
// long goroutine delays its timers only until another worker is idle.
//
// Equal deadlines fire in add order within one heap; across heaps, timers
// due at the same instant fire in no particular order (as in Go).
//
// fire() runs without the heap's lock: it may add and cancel timers and ready
// tasks. cancel() of a timer whose fire() is running on another thread waits
// for fire() to return, so once cancel() returns the runtime no longer
// touches the node (stop/reset never race a fire), as the thread runtime's
// TimerThread does; from inside that fire() it returns false at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <mutex>

#include "runtime/timer_heap.hpp"

namespace lockstep::mn::detail {

class WorkerTimers {
 public:
  static constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();

  // add() schedules `node` (not pending); returns true if it is now this
  // heap's earliest timer.
  bool add(lockstep::detail::TimerNode& node);
  // cancel() returns true if `node` was pending (in any worker's heap) and
  // now never fires.
  static bool cancel(lockstep::detail::TimerNode& node) noexcept;
  // fire_due() fires every timer due at `now`; returns whether any fired.
  bool fire_due(std::int64_t now);
  // earliest() is the earliest deadline (ns since the epoch), kNone if none.
  std::int64_t earliest() const noexcept { return earliest_.load(std::memory_order_acquire); }

 private:
  void update_earliest() noexcept;

  std::mutex mutex_;
  lockstep::detail::TimerHeap heap_;                 // guarded by mutex_
  lockstep::detail::TimerNode* firing_ = nullptr;    // guarded by mutex_
  const void* firing_thread_ = nullptr;              // guarded by mutex_
  std::atomic<std::int64_t> earliest_{kNone};
};

}  // namespace lockstep::mn::detail
