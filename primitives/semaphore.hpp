// Semaphore: a weighted semaphore, as golang.org/x/sync/semaphore.Weighted.
//
//   lockstep::Semaphore memory(64);        // 64 units, e.g. MiB of budget
//   memory.acquire(job.mib);               // blocks until the units are free
//   run(job);
//   memory.release(job.mib);
//
//   acquire(n)      blocks until n units are free and no earlier acquire()
//                   waits, then takes them. Default n = 1.
//   acquire(ctx, n) the same, unless `ctx` is cancelled first: then it
//                   leaves the queue and returns ctx.err() (null: acquired).
//                   A context already done returns its error at once, as
//                   current x/sync does. If the units were granted before
//                   the cancellation was seen, the grant wins: null, held.
//                   n > size can never be granted: it waits for the context
//                   ("chan receive" on its done channel) and returns its
//                   error, as x/sync; with a context that never ends, Misuse.
//   try_acquire(n)  never blocks: takes n units and returns true if they are
//                   free and nobody waits; false otherwise (also if n > size).
//   release(n)      gives n units back and wakes the waiters that now fit, in
//                   arrival order.
// Waiters are served strictly first come, first served, as x/sync's: a large
// request at the head blocks every later one, even small requests that would
// fit, so it cannot starve. Every operation takes `where` last and starts with
// a scheduling point.
//
// Blocking: acquire() parks as "semaphore acquire" on
// "semaphore #3 size=4 held=3" (durably in a simulation; x/sync's goroutine
// shows "select"); on real threads the thread sleeps.
//
// Misuse:
//   "semaphore: released more than held"      (x/sync panics); nothing changes
//   "semaphore: acquire of N exceeds size M"  x/sync's Acquire blocks until
//                                             its context ends; without a
//                                             context that is forever, so
//                                             lockstep reports it at once
//   "semaphore: negative weight N"            acquire, try_acquire or release
//   "semaphore: negative size N"              the constructor
//
// Ownership and lifetime: as Mutex (see mutex.hpp): busy while units are held
// or tasks wait.
//
// Teardown: a torn-down waiter leaves the queue (letting the ones behind it
// in, if it was the head), and gives back units it was granted but never
// returned from acquire() with.
#pragma once

#include "primitives/context.hpp"

#include <cstdint>
#include <string>

#include "primitives/internal/sync_waiter.hpp"
#include "runtime/object_lock.hpp"

namespace lockstep {

class Semaphore final : public detail::Describes<Semaphore> {
 public:
  // Semaphore(size): `size` units, all free. Misuse if size < 0.
  explicit Semaphore(std::int64_t size, SourceLocation where = SourceLocation::current());
  ~Semaphore();
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  // acquire() blocks until it takes n units.
  void acquire(std::int64_t n = 1, SourceLocation where = SourceLocation::current());
  // acquire(ctx, n) blocks until it takes n units (returns null) or ctx is
  // cancelled (returns ctx.err(), holding nothing).
  [[nodiscard]] Error acquire(const Context& ctx, std::int64_t n = 1,
                              SourceLocation where = SourceLocation::current());
  // try_acquire() never blocks; true if it took n units.
  bool try_acquire(std::int64_t n = 1, SourceLocation where = SourceLocation::current());
  // release() gives back n units. Misuse if fewer are held.
  void release(std::int64_t n = 1, SourceLocation where = SourceLocation::current());

  std::int64_t size() const noexcept { return size_; }

  // describe(): "semaphore #3 size=4 held=3".
  std::string describe() const;

 private:
  // The waiting protocol, in steps so that a second entry point (a
  // context-aware acquire(ctx, n)) can reuse it and cancel a queued waiter:
  //
  //   guard_.lock();
  //   if (take_locked(n)) { release_if_idle; guard_.unlock(); return acquired; }
  //   detail::Runtime& rt = *detail::current_runtime();
  //   detail::SyncWaiter s(*this, rt.current());
  //   s.weight = n;
  //   waiters_.push_back(s.waiter);
  //   ... arrange for cancel(s) to run when the context ends ...
  //   bool granted = park_queued(s, where);    // releases guard_
  //   ... disarm; granted ? acquired : cancelled ...
  //
  // Whoever unlinks the waiter moves it to granted_ (until its task is back
  // from the park) and sets `s.waiter.ok`: true, granted (its units count as
  // held); false, cancelled.

  // check_weight() fails with Misuse for n < 0, or (when `blocking`) n > size.
  void check_weight(std::int64_t n, bool blocking, SourceLocation where) const;
  // take_locked() takes n units if they are free and nobody waits.
  bool take_locked(std::int64_t n) noexcept;
  [[nodiscard]] Error acquire_in(const Context* ctx, std::int64_t n, SourceLocation where);
  // park_queued() parks the caller, queued as `s`, releasing guard_; returns
  // true if granted, false if cancel() removed it. If the park itself throws
  // (teardown), park() runs leave_park() first.
  bool park_queued(detail::SyncWaiter& s, SourceLocation where);
  // leave_park() unlinks a queued `s`, or gives back the units it was
  // granted but will never use (guard_ free; takes it). Never blocks.
  void leave_park(detail::Runtime& rt, detail::SyncWaiter& s);
  // cancel() unlinks a still-queued `s` and readies its task with ok = false,
  // letting later waiters in if `s` was the head; returns false, doing
  // nothing, if `s` was already granted. Never blocks; callable from a timer
  // callback or another task of the same runtime.
  bool cancel(detail::SyncWaiter& s);
  // grant_locked() hands units to the head waiters while they fit (x/sync's
  // notifyWaiters), adding them to `wake`.
  void grant_locked(detail::WakeList& wake) noexcept;
  // unlink_locked() unlinks a queued `s` (not granted) and lets the next in.
  void unlink_locked(detail::SyncWaiter& s, detail::WakeList& wake) noexcept;
  bool idle_locked() const noexcept { return held_ == 0 && waiters_.empty() && granted_.empty(); }

  detail::ObjectLock guard_;
  detail::Owner owner_;
  detail::WaitQueue waiters_;  // tasks in acquire(), oldest first. Guarded by guard_.
  detail::GrantedList granted_;  // granted, not yet back from their park. Guarded by guard_.
  const std::int64_t size_;
  std::int64_t held_ = 0;      // units taken and not released. Guarded by guard_.
  const detail::ObjectId id_;
};

}  // namespace lockstep
