// Mutex: Go's sync.Mutex, a mutual-exclusion lock.
//
//   lockstep::Mutex mu;                    // a global works too
//   {
//     std::lock_guard guard(mu);           // BasicLockable + Lockable
//     balance += amount;
//   }
//
//   lock()      blocks until the caller holds the mutex.
//   lock(ctx)   the same, unless `ctx` is cancelled first: then it leaves the
//               queue and returns ctx.err(), not holding the mutex (null: the
//               caller holds it). A context already done returns its error at
//               once, even if the mutex is free. If unlock() handed the mutex
//               to the waiter before the cancellation reached it, the waiter
//               holds it and lock(ctx) returns null.
//   try_lock()  never blocks: true if the caller now holds the mutex.
//   unlock()    releases it. If tasks wait, in a simulation the longest
//               waiter becomes the holder at once and is made runnable; a
//               lock() or try_lock() by another task before that waiter runs
//               is a decision (see Barging). On real threads the longest
//               waiter is woken to compete for it, as in Go's normal mode (a
//               hand-off at every unlock is a lock convoy); one that lost 4
//               times is handed it.
// Every operation takes `where` last and starts with a scheduling point.
//
// Barging (simulation). Go's sync.Mutex in normal mode wakes the longest
// waiter to compete: a goroutine calling Lock() or TryLock() before the
// woken one runs can take the mutex (it barges), and the woken waiter goes
// back to the front of the queue. In a simulation the window is where the
// mutex was handed to a waiter that has not run yet; a lock(), lock(ctx) or
// try_lock() there takes a decision of 2: 0 = wait (or try_lock() returns
// false), as FIFO hand-off; 1 = barge: the caller holds the mutex, and the
// waiter, when it runs, takes it if free again or queues first in line.
// While a barged waiter has not run, unlock() hands nothing to the queue
// (Go's "woken" flag): the mutex is free for whoever runs first.
// Starvation mode, as Go's: a barged waiter that finds the mutex held after
// more than 1 ms of virtual time since it first queued switches the mutex
// to starvation mode: every unlock() hands it directly, with no window,
// until a waiter handed it runs having waited 1 ms or less, or as the last
// one. No other code takes this decision, so programs that never lock in
// the window keep their decision streams.
// Through std::lock_guard / std::unique_lock the site recorded is inside the
// standard header; call lock() directly where the site matters in dumps.
//
// Blocking: lock() and lock(ctx) park as "sync.Mutex.Lock" on "mutex #3 held by fiber 5"
// ("mutex #3 unlocked" when not held; "#g3" for a mutex created outside any
// simulation). In a simulation the park is durably blocking, like every
// lockstep park: virtual time may move while a fiber waits for a mutex, and a
// mutex nobody will unlock is reported as a deadlock. This differs from Go's
// synctest, where a goroutine blocked on a sync.Mutex is not durably blocked.
// On real threads a waiting lock() sleeps until it is woken to compete.
//
// Misuse: unlock of an unlocked mutex (Go: "fatal error: sync: unlock of
// unlocked mutex"). As in Go, a mutex is not tied to the task that locked it:
// another task may unlock it.
//
// Ownership: a Mutex created outside any simulation (a global) binds to the
// simulation using it while it is locked or has waiters, and is free again
// when unlocked with nobody waiting; so one global serves successive
// simulations, on any thread. Two simulations using it at the same time is
// misuse. A global Mutex left locked when a simulation ends stays bound to it.
//
// Lifetime: destroying a Mutex while tasks wait in lock() detaches them (see
// internal/sync_waiter.hpp): a dump still describes it, "(destroyed)", and
// a simulation can tear them down safely. It also leaves a tombstone: a
// later use is misuse, or nothing while a simulation tears the user down
// (Owner::bury, docs/simulation.md "Teardown"). On real threads a guard that
// still refers to it is the caller's bug, as with std::mutex.
//
// Teardown: when a simulation tears down a fiber parked in lock() after the
// mutex was handed to it, the fiber passes the mutex on before unwinding, so
// nothing is left locked by a lock() that never returned.
#pragma once

#include "primitives/context.hpp"

#include <cstdint>
#include <string>

#include "primitives/internal/sync_waiter.hpp"
#include "runtime/object_lock.hpp"

namespace lockstep {

class Cond;

class Mutex final : public detail::Describes<Mutex> {
 public:
  Mutex() noexcept;
  ~Mutex();
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  // lock() blocks until the caller holds the mutex.
  void lock(SourceLocation where = SourceLocation::current());
  // lock(ctx) blocks until the caller holds the mutex (returns null) or ctx
  // is cancelled (returns ctx.err(), not holding it).
  [[nodiscard]] Error lock(const Context& ctx, SourceLocation where = SourceLocation::current());
  // try_lock() never blocks; returns true if the caller now holds the mutex.
  bool try_lock(SourceLocation where = SourceLocation::current());
  // unlock() releases the mutex, handing it to the longest waiter if any.
  // Misuse if it is not locked.
  void unlock(SourceLocation where = SourceLocation::current());

  // describe(): "mutex #3 held by fiber 5", "mutex #3 unlocked".
  std::string describe() const;
  // wait_edges() names its holder, for the wait-for graph.
  void wait_edges(detail::WaitEdges& out) const;

 private:
  friend class Cond;

  [[nodiscard]] Error lock_in(const Context* ctx, SourceLocation where);
  // park_queued() parks the caller, queued as `s` (guard_ held), releasing
  // guard_. On return the caller holds the mutex, unless cancel() removed
  // `s`. If the park throws (teardown), park() runs leave_park() first.
  void park_queued(detail::Runtime& rt, detail::SyncWaiter& s, SourceLocation where);
  // leave_park() takes `s` out of the queue, or passes on the mutex it was
  // handed but will never hold (guard_ free; takes it). Never blocks.
  void leave_park(detail::Runtime& rt, detail::SyncWaiter& s);
  // cancel() is lock(ctx)'s cancellation: it unlinks a still-queued `s`, sets
  // `cancelled` and readies its task (ok = false); it does nothing, returning
  // false, if `s` was already handed the mutex. Never blocks.
  bool cancel(detail::SyncWaiter& s, bool& cancelled);
  // take_locked() locks the mutex for the caller if it is free.
  bool take_locked() noexcept {
    if (locked_) return false;
    locked_ = true;
    holder_ = detail::TaskRef::caller();
    return true;
  }
  // hand_off_locked() releases a locked mutex: the head waiter becomes the
  // holder (added to `wake`), or the mutex becomes unlocked. Earlier grants
  // still pending lose their hold (ok = false). On real threads the head
  // waiter is only woken, to compete, until it lost kMaxLost times.
  void hand_off_locked(detail::WakeList& wake) noexcept;
  static constexpr std::uint32_t kMaxLost = 4;
  // barge_locked() is the barging decision (see the file comment): true if
  // the caller took the mutex from the waiter it was handed to. Simulation
  // only; never blocks.
  bool barge_locked(SourceLocation where);
  // requeue_locked() puts a waiter that lost the race first in line; in a
  // simulation one that queued more than kStarvation ago turns starvation
  // mode on.
  void requeue_locked(detail::Runtime& rt, detail::SyncWaiter& s) noexcept;
  static constexpr Duration kStarvation = std::chrono::milliseconds(1);  // Go's starvationThresholdNs
  // unlock_for_wait() is Cond::wait's unlock: no scheduling point, the woken
  // waiter goes to `wake`. Returns false (changing nothing) if not locked.
  bool unlock_for_wait(detail::WakeList& wake) noexcept;
  // relock_after_cancel() is Cond::wait's relock when its fiber is torn down:
  // it cannot park, so it takes the mutex if free, else it owes one unlock
  // (the next unlock() during unwinding is then a no-op).
  void relock_after_cancel();
  bool idle_locked() const noexcept {
    return !locked_ && waiters_.empty() && granted_.empty() && unwind_debt_ == 0;
  }

  detail::ObjectLock guard_;
  detail::Owner owner_;
  detail::WaitQueue waiters_;       // tasks in lock(), oldest first. Guarded by guard_.
  detail::GrantedList granted_;     // handed the lock, not yet back from lock(). Guarded by guard_.
  bool locked_ = false;             // Guarded by guard_.
  detail::TaskRef holder_;  // the last locker. Guarded by guard_.
  std::uint32_t unwind_debt_ = 0;   // unlocks owed by torn-down Cond waiters. Guarded by guard_.
  // Simulation only (Barging), all guarded by guard_: the waiter handed the
  // mutex that has not run yet (the window), the barged waiter that has not
  // run yet, and starvation mode.
  detail::SyncWaiter* handed_ = nullptr;
  detail::SyncWaiter* barged_ = nullptr;
  bool starving_ = false;
  const detail::ObjectId id_;
};

}  // namespace lockstep
