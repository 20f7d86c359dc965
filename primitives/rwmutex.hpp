// RWMutex: Go's sync.RWMutex, a reader/writer mutual-exclusion lock.
//
//   lockstep::RWMutex mu;
//   { std::shared_lock read(mu); use(table); }     // many readers at once
//   { std::lock_guard write(mu); table = load(); } // one writer, no readers
//
//   lock()       blocks until the caller holds the write lock.
//   unlock()     releases the write lock.
//   rlock()      blocks until the caller holds a read lock.
//   runlock()    releases a read lock.
//   lock(ctx)    lock() unless `ctx` is cancelled first: then it leaves the
//   rlock(ctx)   queue and returns ctx.err(), holding nothing (null: the
//                caller holds the lock). A context already done returns its
//                error at once, even if the lock is free. A cancelled writer
//                stops blocking later readers, as in Go's pattern of a
//                writer giving up. If the lock was granted before the
//                cancellation reached the waiter, it holds it: null.
//   try_lock()   never blocks: true if the caller now holds the write lock.
//   try_rlock()  never blocks: true if the caller now holds a read lock.
// lock_shared / unlock_shared / try_lock_shared are the same read operations
// under the names std::shared_lock uses. Every operation takes `where` last
// and starts with a scheduling point.
//
// Fairness, as Go's: a writer waiting for the lock blocks every rlock() that
// comes after it, so a stream of readers cannot starve writers. When the
// last reader leaves, the longest-waiting writer gets the lock. When a writer
// unlocks, every reader then waiting is admitted at once, before the next
// writer; that writer gets the lock when those readers have left. Writers are
// served in arrival order.
//
// Blocking: rlock() / rlock(ctx) park as "sync.RWMutex.RLock" and lock() /
// lock(ctx) as
// "sync.RWMutex.Lock", both on "rwmutex #3 held by fiber 5" /
// "rwmutex #3 read-locked by 2" / "rwmutex #3 unlocked", followed by
// ", 1 writer waiting" when writers queue. Durably blocking in a simulation
// (see mutex.hpp); on real threads the thread sleeps.
//
// Misuse: unlock() when not write-locked ("unlock of unlocked RWMutex"),
// runlock() when not read-locked ("runlock of unlocked RWMutex"), as Go's
// fatal errors. As in Go, a lock is not tied to the task that took it.
//
// Ownership and lifetime: as Mutex (see mutex.hpp); an RWMutex is busy while
// held or waited on. Teardown: a fiber torn down after it was granted the lock, but
// before its lock()/rlock() returned, releases it.
#pragma once

#include "primitives/context.hpp"

#include <cstdint>
#include <string>

#include "primitives/internal/sync_waiter.hpp"
#include "runtime/object_lock.hpp"

namespace lockstep {

class RWMutex final : public detail::Describes<RWMutex> {
 public:
  RWMutex() noexcept;
  ~RWMutex();
  RWMutex(const RWMutex&) = delete;
  RWMutex& operator=(const RWMutex&) = delete;

  // lock() blocks until the caller holds the write lock.
  void lock(SourceLocation where = SourceLocation::current());
  // lock(ctx) blocks until the caller holds the write lock (returns null) or
  // ctx is cancelled (returns ctx.err(), holding nothing).
  [[nodiscard]] Error lock(const Context& ctx, SourceLocation where = SourceLocation::current());
  // try_lock() never blocks; true if the caller now holds the write lock.
  bool try_lock(SourceLocation where = SourceLocation::current());
  // unlock() releases the write lock. Misuse if it is not write-locked.
  void unlock(SourceLocation where = SourceLocation::current());

  // rlock() blocks until the caller holds a read lock.
  void rlock(SourceLocation where = SourceLocation::current());
  // rlock(ctx) blocks until the caller holds a read lock (returns null) or
  // ctx is cancelled (returns ctx.err(), holding nothing).
  [[nodiscard]] Error rlock(const Context& ctx, SourceLocation where = SourceLocation::current());
  // try_rlock() never blocks; true if the caller now holds a read lock.
  bool try_rlock(SourceLocation where = SourceLocation::current());
  // runlock() releases a read lock. Misuse if it is not read-locked.
  void runlock(SourceLocation where = SourceLocation::current());

  // SharedLockable names, for std::shared_lock.
  void lock_shared(SourceLocation where = SourceLocation::current()) { rlock(where); }
  bool try_lock_shared(SourceLocation where = SourceLocation::current()) { return try_rlock(where); }
  void unlock_shared(SourceLocation where = SourceLocation::current()) { runlock(where); }

  // describe(): "rwmutex #3 read-locked by 2, 1 writer waiting".
  std::string describe() const;
  // wait_edges() names its writer (readers are only counted), for the wait-for graph.
  void wait_edges(detail::WaitEdges& out) const;

 private:
  // Helpers run with guard_ held; the tasks they grant go to `wake`.
  void grant_writer_locked(detail::WakeList& wake) noexcept;
  void admit_readers_locked(detail::WakeList& wake) noexcept;
  void write_unlock_locked(detail::WakeList& wake) noexcept;
  void read_unlock_locked(detail::WakeList& wake) noexcept;
  bool idle_locked() const noexcept {
    return !writing_ && readers_ == 0 && readerq_.empty() && writerq_.empty() && granted_.empty();
  }
  void acquired_write() const noexcept;  // the race detector's acquires for lock()
  [[nodiscard]] Error lock_in(const Context* ctx, SourceLocation where);
  [[nodiscard]] Error rlock_in(const Context* ctx, SourceLocation where);
  // wait_in() queues the caller (guard_ held) in `queue` and parks until
  // granted (returns null) or, with a `ctx`, until ctx is cancelled (returns
  // ctx.err()). Releases guard_.
  [[nodiscard]] Error wait_in(detail::WaitQueue& queue, bool writer, const char* reason, SourceLocation where,
                              const Context* ctx = nullptr);
  // leave_wait() is what a wait_in() whose park throws (teardown) undoes:
  // `s` leaves `queue`, or gives back what it was granted (guard_ free;
  // takes it). Never blocks.
  void leave_wait(detail::WaitQueue& queue, bool writer, detail::SyncWaiter& s);
  // unlink_locked() unlinks a queued `s` from `queue`; a writer leaving lets
  // in the readers it blocked if no writer is left.
  void unlink_locked(detail::WaitQueue& queue, bool writer, detail::SyncWaiter& s,
                     detail::WakeList& wake) noexcept;
  // cancel() is the ctx forms' cancellation: it unlinks a still-queued `s`,
  // sets `cancelled` and readies its task (ok = false); it does nothing,
  // returning false, if `s` was already granted. Never blocks.
  bool cancel(detail::WaitQueue& queue, bool writer, detail::SyncWaiter& s, bool& cancelled);

  // Invariant (between operations): a non-empty writerq_ implies writing_ or
  // readers_ > 0; a non-empty readerq_ implies writing_ or a non-empty writerq_.
  detail::ObjectLock guard_;
  detail::Owner owner_;
  detail::WaitQueue readerq_;  // tasks in rlock(), oldest first. Guarded by guard_.
  detail::WaitQueue writerq_;  // tasks in lock(), oldest first. Guarded by guard_.
  detail::GrantedList granted_;  // granted, not yet back from their park. Guarded by guard_.
  bool writing_ = false;       // a writer holds the lock. Guarded by guard_.
  detail::TaskRef writer_;  // Guarded by guard_.
  std::int64_t readers_ = 0;   // read locks held. Guarded by guard_.
  const detail::ObjectId id_;
};

}  // namespace lockstep
