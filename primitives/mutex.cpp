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
  if (take_locked()) {
    guard_.unlock();
    return nullptr;
  }
  detail::Runtime& rt = *detail::current_runtime();
  detail::SyncWaiter s(*this, rt.current());
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
    if (!s.retry) return nullptr;  // handed the mutex
    // Real threads: woken to compete. Take it if free, else wait again,
    // first in line (as Go's sync.Mutex requeues a woken waiter at the front).
    s.retry = false;
    guard_.lock();
    if (take_locked()) {
      guard_.unlock();
      return nullptr;
    }
    ++s.lost;
    waiters_.push_front(s.waiter);
    if (ctx != nullptr && ctx->err()) {  // cancelled while it was out of the queue
      waiters_.remove(s.waiter);
      owner_.release_if_idle(idle_locked());
      guard_.unlock();
      return ctx->err();
    }
  }
}

void Mutex::park_queued(detail::Runtime& rt, detail::SyncWaiter& s, SourceLocation where) {
  try {
    rt.park(detail::WaitSite{"sync.Mutex.Lock", &s, where}, guard_.unlock_on_park());
  } catch (...) {
    // Torn down. If unlock() already made this task the holder, pass the
    // mutex on: lock() never returns, so nobody would unlock it. (A
    // cancelled waiter has ok = false: it holds nothing.)
    if (s.detached()) throw;  // the mutex is gone
    detail::WakeList wake;
    guard_.lock();
    if (s.waiter.queued) {
      waiters_.remove(s.waiter);
    } else if (s.granted()) {
      granted_.remove(s);
      if (s.waiter.ok) hand_off_locked(wake);
    }
    owner_.release_if_idle(idle_locked());
    guard_.unlock();
    wake.ready_all(rt);
    throw;
  }
  // unlock() made this task the holder before readying it, or cancel()
  // removed it; either way it waits in granted_ until here.
  if (s.detached()) return;
  guard_.lock();
  granted_.remove(s);
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
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
  bool took = take_locked();
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

void Mutex::hand_off_locked(detail::WakeList& wake) noexcept {
  for (detail::SyncWaiter* g = granted_.front(); g != nullptr; g = granted_.next(*g))
    g->waiter.ok = false;  // released before it ran (another task unlocked it)
  if (detail::Waiter* next = waiters_.take()) {
    detail::grant(*next, granted_, wake);
    if (detail::single_threaded() || detail::SyncWaiter::of(*next).lost >= kMaxLost) {
      holder_ = detail::TaskRef::of(*next->task);  // stays locked: ownership passes directly
      return;
    }
    // Real threads: the waiter is woken to compete (Go's normal mode). A hand
    // over would put a sleeping thread's wake-up inside every critical
    // section (a lock convoy); a waiter that lost kMaxLost times is handed
    // it, so none starves (Go's starvation mode).
    detail::SyncWaiter::of(*next).retry = true;
  }
  locked_ = false;
  holder_ = {};
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
