// Timers: the M:N runtime's pending timers, fired by its workers.
//
// One heap for the process, ordered by (deadline, add order). Any worker
// fires the due timers when it schedules (a look at an atomic, then the lock
// only when one is due); an idle worker sleeps until the earliest deadline.
// One heap rather than one per worker: a timer is added, cancelled, fired
// and re-armed by different threads, and with one lock "pending", "firing"
// and "neither" are never in flight between two heaps. The cost is one lock
// shared by the workers for timer operations; measured in bench/.
//
// fire() runs without the lock: it may add and cancel timers and ready
// tasks. cancel() of a timer whose fire() runs on another thread waits for it
// to return, so once cancel() returns the runtime no longer touches the node
// (stop/reset never race a fire), as the thread runtime's TimerThread does;
// from inside that fire() it returns false at once. Equal deadlines fire in
// add order when one worker fires them; two workers may fire two due timers
// at the same time.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <mutex>
#include <vector>

#include "runtime/timer_heap.hpp"

namespace lockstep::mn::detail {

class Timers {
 public:
  static constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();

  // add() schedules `node` (not pending); returns true if it is now the
  // earliest timer.
  bool add(lockstep::detail::TimerNode& node);
  // cancel() returns true if `node` was pending and now never fires.
  bool cancel(lockstep::detail::TimerNode& node) noexcept;
  // fire_due() fires every timer due at `now` (ns since the epoch).
  void fire_due(std::int64_t now);
  // earliest() is the earliest deadline (ns since the epoch), kNone if none.
  std::int64_t earliest() const noexcept { return earliest_.load(std::memory_order_acquire); }
  // in_fire() is true on a thread inside some timer's fire().
  static bool in_fire() noexcept;

 private:
  void update_earliest() noexcept;
  bool firing_elsewhere(const lockstep::detail::TimerNode& node) const noexcept;

  std::mutex mutex_;
  std::condition_variable fired_;        // a fire() returned, for cancel()
  lockstep::detail::TimerHeap heap_;     // guarded by mutex_
  // The fires in progress, with the thread firing each. Guarded by mutex_.
  struct Firing {
    const lockstep::detail::TimerNode* node;
    const void* thread;
  };
  std::vector<Firing> firing_;
  std::atomic<std::int64_t> earliest_{kNone};
};

}  // namespace lockstep::mn::detail
