// Cond: Go's sync.Cond, a condition variable bound to one Mutex.
//
//   lockstep::Mutex mu;
//   lockstep::Cond ready(mu);
//   mu.lock();
//   while (queue.empty()) ready.wait();   // unlocks, waits, relocks
//   auto job = pop(queue);
//   mu.unlock();
//   ...
//   { std::lock_guard g(mu); push(queue, job); }
//   ready.signal();
//
//   wait()       the caller must hold the mutex. Atomically unlocks it and
//                parks until signal() or broadcast() picks this waiter, then
//                locks the mutex again (which may wait as "sync.Mutex.Lock")
//                before returning. No spurious wake-ups, but as in Go the
//                condition may be false again by then: wait in a loop.
//   wait(ctx)    the same, unless `ctx` is cancelled first: then it leaves
//                the queue and returns ctx.err() (null: signalled). Either
//                way it relocks the mutex before returning (waiting for it
//                as "sync.Mutex.Lock" if need be, whatever the context), so
//                the caller always holds the mutex after wait(ctx), as Go's
//                pattern (Wait in a loop, checking ctx.Err()) expects. A
//                context already done returns its error at once, without
//                unlocking. A signal that picked the waiter before the
//                cancellation reached it wins: null.
//   signal()     wakes the longest waiter, if any. Never blocks.
//   broadcast()  wakes every waiter, in arrival order. Never blocks.
// signal() and broadcast() need not hold the mutex (as in Go). Every
// operation takes `where` last and starts with a scheduling point.
//
// Blocking: wait() and wait(ctx) park as "sync.Cond.Wait" on "cond #4 (mutex #3)",
// durably in a simulation; on real threads the thread sleeps.
//
// Misuse: wait() while the mutex is not locked (Go: "fatal error: sync:
// unlock of unlocked mutex").
//
// Ownership: as Mutex (see mutex.hpp); a Cond is busy while it has waiters.
//
// Lifetime: as Mutex's (see mutex.hpp); a fiber torn down in wait() after its
// Cond was destroyed does not relock the mutex.
//
// Teardown: a fiber torn down inside wait() relocks the mutex if it is free,
// so the unlock its std::lock_guard runs while unwinding stays balanced. If
// another fiber holds the mutex, it cannot wait for it: the mutex then
// ignores the next unlock() made during stack unwinding (the one the torn-down
// fiber's guard makes).
#pragma once

#include <string>

#include "primitives/internal/sync_waiter.hpp"
#include "primitives/mutex.hpp"
#include "runtime/object_lock.hpp"

namespace lockstep {

class Cond final : public detail::Describes<Cond> {
 public:
  // Cond() binds to `mutex`, which must outlive it (Go's Cond.L).
  explicit Cond(Mutex& mutex) noexcept;
  ~Cond();
  Cond(const Cond&) = delete;
  Cond& operator=(const Cond&) = delete;

  // wait() unlocks the mutex, blocks until signalled, and relocks it.
  void wait(SourceLocation where = SourceLocation::current());
  // wait(ctx) is wait() unless ctx is cancelled first: then it returns
  // ctx.err(). It relocks the mutex before returning either way.
  [[nodiscard]] Error wait(const Context& ctx, SourceLocation where = SourceLocation::current());
  // signal() wakes the longest waiter; never blocks.
  void signal(SourceLocation where = SourceLocation::current());
  // broadcast() wakes every waiter; never blocks.
  void broadcast(SourceLocation where = SourceLocation::current());

  Mutex& mutex() const noexcept { return mutex_; }

  // describe(): "cond #4 (mutex #3)".
  std::string describe() const;

 private:
  bool idle_locked() const noexcept { return waiters_.empty() && signalled_.empty(); }
  // wait_with() is wait() (ctx null) and wait(ctx).
  [[nodiscard]] Error wait_with(const Context* ctx, SourceLocation where);
  // cancel() is wait(ctx)'s cancellation: it unlinks a still-queued `s`, sets
  // `cancelled` and readies its task (ok = false); it does nothing, returning
  // false, if `s` was already signalled. Never blocks.
  bool cancel(detail::SyncWaiter& s, bool& cancelled);
  // leave_wait() is what a wait() whose park throws (teardown) undoes: `s`
  // leaves the queue, and the task holds `mutex` again as wait() promises,
  // without parking (see the file comment). Never blocks.
  void leave_wait(detail::SyncWaiter& s, Mutex& mutex);

  Mutex& mutex_;
  detail::ObjectLock guard_;
  detail::Owner owner_;
  detail::WaitQueue waiters_;      // tasks in wait(), oldest first. Guarded by guard_.
  detail::GrantedList signalled_;  // woken, not yet back from their park. Guarded by guard_.
  const detail::ObjectId id_;
};

}  // namespace lockstep
