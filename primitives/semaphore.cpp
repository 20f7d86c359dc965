#include "primitives/semaphore.hpp"

#include "primitives/internal/cancel_watch.hpp"
#include "runtime/race.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace lockstep {

Semaphore::Semaphore(std::int64_t size, SourceLocation where)
    : size_(size), id_(detail::ObjectId::next()) {
  if (size < 0) detail::fail_misuse(fmt::format("semaphore: negative size {}", size), nullptr, where);
}

Semaphore::~Semaphore() {
  guard_.lock();
  detail::detach_waiters(*this, {&waiters_}, &granted_);
  guard_.unlock();
  owner_.bury(detail::ObjectKind::semaphore, id_);
}

std::string Semaphore::describe() const {
  return fmt::format("semaphore #{}{} size={} held={}", id_.global ? "g" : "", id_.value, size_, held_);
}

void Semaphore::check_weight(std::int64_t n, bool blocking, SourceLocation where) const {
  if (n < 0) detail::fail_misuse(fmt::format("semaphore: negative weight {}", n), this, where);
  if (blocking && n > size_)
    detail::fail_misuse(fmt::format("semaphore: acquire of {} exceeds size {}", n, size_), this, where);
}

// Without a context the wait cannot be cancelled: the error is always null.
// Race detector (runtime/race.hpp): a release happens before a later
// acquire returns; both sync on the semaphore.
void Semaphore::acquire(std::int64_t n, SourceLocation where) {
  (void)acquire_in(nullptr, n, where);
  detail::race_acquire(this);
}

Error Semaphore::acquire(const Context& ctx, std::int64_t n, SourceLocation where) {
  Error e = acquire_in(&ctx, n, where);
  if (!e) detail::race_acquire(this);
  return e;
}

// acquire_in() is acquire(n) without a context, acquire(ctx, n) with one.
Error Semaphore::acquire_in(const Context* ctx, std::int64_t n, SourceLocation where) {
  detail::operation_point(where);
  check_weight(n, ctx == nullptr, where);
  if (ctx != nullptr) {
    if (Error e = ctx->err()) return e;
    if (n > size_) {
      // Can never be granted: as x/sync, wait for the context to end. A
      // context that never ends would wait forever: Misuse, as acquire(n).
      if (ctx->done().is_nil()) check_weight(n, true, where);
      ctx->done().recv(where);
      return ctx->err();
    }
  }
  if (!owner_.check(*this, where)) return nullptr;
  guard_.lock();
  if (take_locked(n)) {
    owner_.release_if_idle(idle_locked());  // n == 0 holds nothing
    guard_.unlock();
    return nullptr;
  }
  detail::Runtime& rt = *detail::current_runtime();
  detail::SyncWaiter s(*this, rt.current());
  s.weight = n;
  waiters_.push_back(s.waiter);
  detail::CancelWatch watch(ctx, s, [&] { cancel(s); });
  if (watch.already()) {  // cancelled just now
    detail::WakeList wake;
    unlink_locked(s, wake);
    owner_.release_if_idle(idle_locked());
    guard_.unlock();
    wake.ready_all(rt);
    return ctx->err();
  }
  bool granted = park_queued(s, where);
  return granted ? nullptr : ctx->err();
}

bool Semaphore::try_acquire(std::int64_t n, SourceLocation where) {
  detail::operation_point(where);
  check_weight(n, false, where);
  if (!owner_.check(*this, where)) return false;
  guard_.lock();
  bool took = take_locked(n);
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  if (took) detail::race_acquire(this);
  return took;
}

void Semaphore::release(std::int64_t n, SourceLocation where) {
  detail::operation_point(where);
  check_weight(n, false, where);
  if (!owner_.check(*this, where)) return;
  detail::race_release(this);
  detail::WakeList wake;
  guard_.lock();
  if (n > held_) {
    owner_.release_if_idle(idle_locked());
    guard_.unlock();
    detail::fail_misuse("semaphore: released more than held", this, where);
  }
  held_ -= n;
  grant_locked(wake);
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  if (!wake.empty()) wake.ready_all(*detail::current_runtime());
}

// ---- the waiting protocol ---------------------------------------------------

bool Semaphore::take_locked(std::int64_t n) noexcept {
  if (size_ - held_ < n || !waiters_.empty()) return false;
  held_ += n;
  return true;
}

void Semaphore::leave_park(detail::Runtime& rt, detail::SyncWaiter& s) {
  if (s.detached()) return;  // the semaphore is gone
  detail::WakeList wake;
  guard_.lock();
  if (s.waiter.queued) {
    unlink_locked(s, wake);
  } else if (s.granted()) {
    granted_.remove(s);
    if (s.waiter.ok) {  // granted, but acquire() never returns: give the units back
      held_ -= std::min(s.weight, held_);
      grant_locked(wake);
    }
  }
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  wake.ready_all(rt);
}

bool Semaphore::park_queued(detail::SyncWaiter& s, SourceLocation where) {
  detail::Runtime& rt = *detail::current_runtime();
  auto leave = [&] { leave_park(rt, s); };
  rt.park(detail::WaitSite{"semaphore acquire", &s, where, detail::leave_with(leave)}, guard_.unlock_on_park());
  bool granted = s.waiter.ok;
  if (s.detached()) return granted;
  guard_.lock();
  granted_.remove(s);
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  return granted;
}

bool Semaphore::cancel(detail::SyncWaiter& s) {
  detail::WakeList wake;
  guard_.lock();
  if (!s.waiter.queued) {  // granted already (or cancelled twice): leave it alone
    guard_.unlock();
    return false;
  }
  unlink_locked(s, wake);
  granted_.push(s);  // resolved, until its task is back from the park
  s.waiter.ok = false;
  wake.add(s.waiter);  // after the waiters unlink_locked let in: they were queued earlier
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  wake.ready_all(*detail::current_runtime());
  return true;
}

void Semaphore::unlink_locked(detail::SyncWaiter& s, detail::WakeList& wake) noexcept {
  bool head = waiters_.front() == &s.waiter;
  waiters_.remove(s.waiter);
  if (head) grant_locked(wake);  // the ones behind a large head may fit now
}

void Semaphore::grant_locked(detail::WakeList& wake) noexcept {
  while (detail::Waiter* w = waiters_.front()) {
    std::int64_t n = detail::SyncWaiter::of(*w).weight;
    if (size_ - held_ < n) break;  // no barging past the head, even for small requests
    held_ += n;
    waiters_.remove(*w);
    detail::grant(*w, granted_, wake);
  }
}

}  // namespace lockstep
