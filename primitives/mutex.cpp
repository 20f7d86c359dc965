#include "primitives/mutex.hpp"

#include "primitives/internal/cancel_watch.hpp"
#include "runtime/race.hpp"
#include "runtime/wait_edges.hpp"

#include <fmt/format.h>

#include <exception>

namespace lockstep {

Mutex::Mutex() noexcept : id_(detail::ObjectId::next()) {}

Mutex::~Mutex() {
  guard_.lock();
  detail::detach_waiters(*this, {&waiters_}, &granted_);
  guard_.unlock();
  owner_.bury(detail::ObjectKind::mutex, id_);
}

std::string Mutex::describe() const {
  std::string name = fmt::format("mutex #{}{}", id_.global ? "g" : "", id_.value);
  if (!locked_) return name + " unlocked";
  return fmt::format("{} held by {}", name, detail::to_string(holder_));
}

void Mutex::wait_edges(detail::WaitEdges& out) const {
  if (locked_) out.holders.push_back(holder_.id);
}

// Race detector (runtime/race.hpp): an unlock happens before the next lock
// returns; both sync on the mutex itself.

// Without a context the wait cannot be cancelled: the error is always null.
void Mutex::lock(SourceLocation where) {
  (void)lock_in(nullptr, where);
  detail::race_acquire(this);
}

Error Mutex::lock(const Context& ctx, SourceLocation where) {
  Error e = lock_in(&ctx, where);
  if (!e) detail::race_acquire(this);
  return e;
}

// lock_in() is lock() without a context, lock(ctx) with one.
Error Mutex::lock_in(const Context* ctx, SourceLocation where) {
  detail::operation_point(where);
  if (ctx != nullptr)
    if (Error e = ctx->err()) return e;
  if (!owner_.check(*this, where)) return nullptr;
  guard_.lock();
  if (take_locked() || barge_locked(where)) {
    guard_.unlock();
    return nullptr;
  }
  detail::Runtime& rt = *detail::current_runtime();
  // `s` starts a cache line. On real threads the unlocker writes into it
  // (links, ok, retry) from another core, and where the frame happened to put
  // it decided a contended Mutex's speed: one more 8-byte SyncWaiter field
  // moved it and made real_bench's mutex_32 35% slower (docs/real-mode.md,
  // "Performance").
  alignas(64) detail::SyncWaiter s(*this, rt.current());
  if (detail::single_threaded()) s.since = rt.now();
  waiters_.push_back(s.waiter);
  bool cancelled = false;  // set by cancel(), under guard_
  detail::CancelWatch watch(ctx, s, [&] { cancel(s, cancelled); });
  if (watch.already()) {  // cancelled just now
    waiters_.remove(s.waiter);  // the mutex stays locked: nobody behind gets in
    owner_.release_if_idle(idle_locked());
    guard_.unlock();
    return ctx->err();
  }
  for (;;) {
    park_queued(rt, s, where);
    if (cancelled) return ctx->err();
    if (!s.retry || s.detached()) return nullptr;  // handed the mutex, or it is gone
    // Woken to compete (real threads), or barged (a simulation). Take it if
    // free, else wait again, first in line (as Go's sync.Mutex requeues a
    // woken waiter at the front).
    s.retry = false;
    guard_.lock();
    if (take_locked()) {
      guard_.unlock();
      return nullptr;
    }
    requeue_locked(rt, s);
    if (ctx != nullptr && ctx->err()) {  // cancelled while it was out of the queue
      waiters_.remove(s.waiter);
      owner_.release_if_idle(idle_locked());
      guard_.unlock();
      return ctx->err();
    }
  }
}

void Mutex::park_queued(detail::Runtime& rt, detail::SyncWaiter& s, SourceLocation where) {
  auto leave = [&] { leave_park(rt, s); };
  rt.park(detail::WaitSite{"sync.Mutex.Lock", &s, where, detail::leave_with(leave)}, guard_.unlock_on_park());
  // unlock() made this task the holder before readying it, or cancel()
  // removed it; either way it waits in granted_ until here.
  if (s.detached()) return;
  guard_.lock();
  granted_.remove(s);
  if (handed_ == &s) {  // the barging window closes
    handed_ = nullptr;
    // Go leaves starvation mode when the waiter handed the mutex waited 1 ms
    // or less, or is the last one; it decides so when that waiter runs.
    if (starving_ && (waiters_.empty() || rt.now() - s.since <= kStarvation)) starving_ = false;
  }
  if (barged_ == &s) barged_ = nullptr;  // it competes now (lock_in)
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
}

void Mutex::leave_park(detail::Runtime& rt, detail::SyncWaiter& s) {
  // If unlock() already made this task the holder, pass the mutex on:
  // lock() never returns, so nobody would unlock it. (A cancelled waiter has
  // ok = false: it holds nothing.)
  if (s.detached()) return;  // the mutex is gone
  detail::WakeList wake;
  guard_.lock();
  if (s.waiter.queued) {
    waiters_.remove(s.waiter);
  } else if (s.granted()) {
    granted_.remove(s);
    if (s.waiter.ok) {
      hand_off_locked(wake);
    } else if (barged_ == &s) {  // unlock() left the queue to it: serve the queue now
      barged_ = nullptr;
      if (!locked_) {
        locked_ = true;
        hand_off_locked(wake);
      }
    }
  }
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  wake.ready_all(rt);
}

bool Mutex::cancel(detail::SyncWaiter& s, bool& cancelled) {
  detail::WakeList wake;
  guard_.lock();
  if (!s.waiter.queued) {  // handed the mutex already (or cancelled twice): leave it alone
    guard_.unlock();
    return false;
  }
  waiters_.remove(s.waiter);  // the mutex stays locked: nobody behind gets in
  granted_.push(s);           // resolved, until its task is back from the park
  s.waiter.ok = false;
  cancelled = true;
  wake.add(s.waiter);
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  wake.ready_all(*detail::current_runtime());
  return true;
}

bool Mutex::try_lock(SourceLocation where) {
  detail::operation_point(where);
  if (!owner_.check(*this, where)) return false;
  guard_.lock();
  bool took = take_locked() || barge_locked(where);
  guard_.unlock();
  if (took) detail::race_acquire(this);
  return took;
}

void Mutex::unlock(SourceLocation where) {
  detail::operation_point(where);
  if (!owner_.check(*this, where)) return;
  detail::race_release(this);
  detail::WakeList wake;
  guard_.lock();
  if (unwind_debt_ > 0 && std::uncaught_exceptions() > 0) {
    // The unlock a torn-down Cond waiter owes: its lock was never retaken.
    --unwind_debt_;
    owner_.release_if_idle(idle_locked());
    guard_.unlock();
    return;
  }
  if (!locked_) {
    owner_.release_if_idle(idle_locked());
    guard_.unlock();
    detail::fail_misuse("unlock of unlocked mutex", this, where);
  }
  hand_off_locked(wake);
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  if (!wake.empty()) wake.ready_all(*detail::current_runtime());
}

// In a simulation the head waiter is handed the mutex, which opens the
// barging window until it runs (handed_); in starvation mode too, but then
// nobody may barge (the mode ends, if it does, when that waiter runs). While a barged waiter has not run yet, nobody is handed
// anything: it competes for the mutex when it runs (Go wakes nobody else
// while a woken waiter has not run: mutexWoken).
void Mutex::hand_off_locked(detail::WakeList& wake) noexcept {
  for (detail::SyncWaiter* g = granted_.front(); g != nullptr; g = granted_.next(*g))
    g->waiter.ok = false;  // released before it ran (another task unlocked it)
  handed_ = nullptr;
  detail::Waiter* next = barged_ == nullptr ? waiters_.take() : nullptr;
  if (next != nullptr) {
    detail::grant(*next, granted_, wake);
    detail::SyncWaiter& s = detail::SyncWaiter::of(*next);
    if (detail::single_threaded()) {
      holder_ = detail::TaskRef::of(*next->task);  // stays locked: ownership passes directly
      handed_ = &s;
      return;
    }
    if (s.lost >= kMaxLost) {
      holder_ = detail::TaskRef::of(*next->task);  // stays locked: ownership passes directly
      return;
    }
    // Real threads: the waiter is woken to compete (Go's normal mode). A hand
    // over would put a sleeping thread's wake-up inside every critical
    // section (a lock convoy); a waiter that lost kMaxLost times is handed
    // it, so none starves (Go's starvation mode).
    s.retry = true;
  }
  starving_ = false;  // nobody is handed it: normal mode
  locked_ = false;
  holder_ = {};
}

bool Mutex::barge_locked(SourceLocation where) {
  if (handed_ == nullptr || starving_) return false;  // no window, or starvation mode
  if (!detail::current_runtime()->rarely(where)) return false;  // FIFO hand-off, as before
  detail::SyncWaiter& w = *handed_;
  handed_ = nullptr;
  barged_ = &w;
  w.waiter.ok = false;  // it holds nothing now: a teardown passes nothing on
  w.retry = true;       // it competes when it runs
  holder_ = detail::TaskRef::caller();
  return true;
}

void Mutex::requeue_locked(detail::Runtime& rt, detail::SyncWaiter& s) noexcept {
  ++s.lost;
  if (detail::single_threaded() && rt.now() - s.since > kStarvation) starving_ = true;
  waiters_.push_front(s.waiter);
}

bool Mutex::unlock_for_wait(detail::WakeList& wake) noexcept {
  detail::race_release(this);  // Cond.wait() unlocks: its relock acquires again
  guard_.lock();
  bool was_locked = locked_;
  if (was_locked) hand_off_locked(wake);
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  return was_locked;
}

void Mutex::relock_after_cancel() {
  if (!owner_.try_bind()) return;  // another runtime took it meanwhile: leave its state alone
  guard_.lock();
  if (!take_locked()) ++unwind_debt_;
  guard_.unlock();
}

}  // namespace lockstep
