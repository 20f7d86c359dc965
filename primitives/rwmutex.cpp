#include "primitives/rwmutex.hpp"

#include "primitives/internal/cancel_watch.hpp"
#include "runtime/race.hpp"
#include "runtime/wait_edges.hpp"

#include <fmt/format.h>

namespace lockstep {

RWMutex::RWMutex() noexcept : id_(detail::ObjectId::next()) {}

RWMutex::~RWMutex() {
  guard_.lock();
  detail::detach_waiters(*this, {&readerq_, &writerq_}, &granted_);
  guard_.unlock();
  owner_.bury(detail::ObjectKind::rwmutex, id_);
}

std::string RWMutex::describe() const {
  std::string text = fmt::format("rwmutex #{}{}", id_.global ? "g" : "", id_.value);
  if (writing_)
    text += fmt::format(" held by {}", detail::to_string(writer_));
  else if (readers_ > 0)
    text += fmt::format(" read-locked by {}", readers_);
  else
    text += " unlocked";
  if (!writerq_.empty())
    text += fmt::format(", {} writer{} waiting", writerq_.size(), writerq_.size() == 1 ? "" : "s");
  return text;
}

void RWMutex::wait_edges(detail::WaitEdges& out) const {
  if (writing_) out.holders.push_back(writer_.id);
}

// ---- writers ----------------------------------------------------------------

// Race detector (runtime/race.hpp), Go's rules: unlock happens before a
// later rlock or lock returns (sync on the RWMutex itself); runlock before a
// later lock returns (sync on readers_), and readers never order each other.
void RWMutex::acquired_write() const noexcept {
  detail::race_acquire(this);
  detail::race_acquire(&readers_);
}

// Without a context the wait cannot be cancelled: the error is always null.
void RWMutex::lock(SourceLocation where) {
  (void)lock_in(nullptr, where);
  acquired_write();
}

Error RWMutex::lock(const Context& ctx, SourceLocation where) {
  Error e = lock_in(&ctx, where);
  if (!e) acquired_write();
  return e;
}

// lock_in() is lock() without a context, lock(ctx) with one.
Error RWMutex::lock_in(const Context* ctx, SourceLocation where) {
  detail::operation_point(where);
  if (ctx != nullptr)
    if (Error e = ctx->err()) return e;
  if (!owner_.check(*this, where)) return nullptr;
  guard_.lock();
  if (!writing_ && readers_ == 0 && writerq_.empty()) {
    writing_ = true;
    writer_ = detail::TaskRef::caller();
    guard_.unlock();
    return nullptr;
  }
  return wait_in(writerq_, true, "sync.RWMutex.Lock", where, ctx);
}

bool RWMutex::try_lock(SourceLocation where) {
  detail::operation_point(where);
  if (!owner_.check(*this, where)) return false;
  guard_.lock();
  bool took = !writing_ && readers_ == 0 && writerq_.empty();
  if (took) {
    writing_ = true;
    writer_ = detail::TaskRef::caller();
  }
  guard_.unlock();
  if (took) acquired_write();
  return took;
}

void RWMutex::unlock(SourceLocation where) {
  detail::operation_point(where);
  if (!owner_.check(*this, where)) return;
  detail::race_release(this);
  detail::WakeList wake;
  guard_.lock();
  if (!writing_) {
    owner_.release_if_idle(idle_locked());
    guard_.unlock();
    detail::fail_misuse("unlock of unlocked RWMutex", this, where);
  }
  write_unlock_locked(wake);
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  if (!wake.empty()) wake.ready_all(*detail::current_runtime());
}

// ---- readers ----------------------------------------------------------------

void RWMutex::rlock(SourceLocation where) {  // no context: null
  (void)rlock_in(nullptr, where);
  detail::race_acquire(this);
}

Error RWMutex::rlock(const Context& ctx, SourceLocation where) {
  Error e = rlock_in(&ctx, where);
  if (!e) detail::race_acquire(this);
  return e;
}

// rlock_in() is rlock() without a context, rlock(ctx) with one.
Error RWMutex::rlock_in(const Context* ctx, SourceLocation where) {
  detail::operation_point(where);
  if (ctx != nullptr)
    if (Error e = ctx->err()) return e;
  if (!owner_.check(*this, where)) return nullptr;
  guard_.lock();
  if (!writing_ && writerq_.empty()) {  // a waiting writer blocks new readers
    ++readers_;
    guard_.unlock();
    return nullptr;
  }
  return wait_in(readerq_, false, "sync.RWMutex.RLock", where, ctx);
}

bool RWMutex::try_rlock(SourceLocation where) {
  detail::operation_point(where);
  if (!owner_.check(*this, where)) return false;
  guard_.lock();
  bool took = !writing_ && writerq_.empty();
  if (took) ++readers_;
  guard_.unlock();
  if (took) detail::race_acquire(this);
  return took;
}

void RWMutex::runlock(SourceLocation where) {
  detail::operation_point(where);
  if (!owner_.check(*this, where)) return;
  detail::race_release(&readers_);
  detail::WakeList wake;
  guard_.lock();
  if (readers_ == 0) {
    owner_.release_if_idle(idle_locked());
    guard_.unlock();
    detail::fail_misuse("runlock of unlocked RWMutex", this, where);
  }
  read_unlock_locked(wake);
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  if (!wake.empty()) wake.ready_all(*detail::current_runtime());
}

// ---- hand-over --------------------------------------------------------------
//
//   event                     state change
//   writer unlocks            readers waiting: all admitted (readers_ += n);
//                             else the head writer, if any, gets the lock
//   last reader leaves        the head writer, if any, gets the lock
//   queued writer cancelled   if no writer is left and none holds the lock,
//   (ctx) or torn down        the readers queued behind it are admitted

void RWMutex::grant_writer_locked(detail::WakeList& wake) noexcept {
  if (detail::Waiter* w = writerq_.take()) {
    writing_ = true;
    writer_ = detail::TaskRef::of(*w->task);
    detail::grant(*w, granted_, wake);
  }
}

void RWMutex::admit_readers_locked(detail::WakeList& wake) noexcept {
  while (detail::Waiter* r = readerq_.take()) {
    ++readers_;
    detail::grant(*r, granted_, wake);
  }
}

void RWMutex::write_unlock_locked(detail::WakeList& wake) noexcept {
  for (detail::SyncWaiter* g = granted_.front(); g != nullptr; g = granted_.next(*g))
    g->waiter.ok = false;  // a writer granted the lock lost it before it ran
  writing_ = false;
  writer_ = {};
  if (!readerq_.empty())
    admit_readers_locked(wake);  // the next writer waits for these readers
  else
    grant_writer_locked(wake);
}

void RWMutex::read_unlock_locked(detail::WakeList& wake) noexcept {
  --readers_;
  if (readers_ == 0) grant_writer_locked(wake);
}

Error RWMutex::wait_in(detail::WaitQueue& queue, bool writer, const char* reason, SourceLocation where,
                       const Context* ctx) {
  detail::Runtime* rt = detail::current_runtime();
  detail::SyncWaiter s(*this, rt->current());
  queue.push_back(s.waiter);
  bool cancelled = false;  // set by cancel(), under guard_
  detail::CancelWatch watch(ctx, s, [&] { cancel(queue, writer, s, cancelled); });
  if (watch.already()) {  // cancelled just now
    detail::WakeList wake;
    unlink_locked(queue, writer, s, wake);
    owner_.release_if_idle(idle_locked());
    guard_.unlock();
    wake.ready_all(*rt);
    return ctx->err();
  }
  auto leave = [&] { leave_wait(queue, writer, s); };
  rt->park(detail::WaitSite{reason, &s, where, detail::leave_with(leave)}, guard_.unlock_on_park());
  // Granted before being readied (writing_ or readers_ already counts it),
  // or cancelled; either way it waits in granted_ until here.
  Error result = cancelled ? ctx->err() : nullptr;
  if (s.detached()) return result;
  guard_.lock();
  granted_.remove(s);
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  return result;
}

void RWMutex::leave_wait(detail::WaitQueue& queue, bool writer, detail::SyncWaiter& s) {
  // A cancelled waiter has ok = false: it holds nothing.
  if (s.detached()) return;  // the RWMutex is gone
  detail::WakeList wake;
  guard_.lock();
  if (s.waiter.queued) {
    unlink_locked(queue, writer, s, wake);
  } else if (s.granted()) {
    granted_.remove(s);
    if (writer && s.waiter.ok)
      write_unlock_locked(wake);
    else if (!writer && s.waiter.ok && readers_ > 0)
      read_unlock_locked(wake);
  }
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  wake.ready_all(*detail::current_runtime());
}

void RWMutex::unlink_locked(detail::WaitQueue& queue, bool writer, detail::SyncWaiter& s,
                            detail::WakeList& wake) noexcept {
  queue.remove(s.waiter);
  if (writer && !writing_ && writerq_.empty()) admit_readers_locked(wake);
}

bool RWMutex::cancel(detail::WaitQueue& queue, bool writer, detail::SyncWaiter& s, bool& cancelled) {
  detail::WakeList wake;
  guard_.lock();
  if (!s.waiter.queued) {  // granted already (or cancelled twice): leave it alone
    guard_.unlock();
    return false;
  }
  unlink_locked(queue, writer, s, wake);
  granted_.push(s);  // resolved, until its task is back from the park
  s.waiter.ok = false;
  cancelled = true;
  wake.add(s.waiter);  // after the readers a cancelled writer let in
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  wake.ready_all(*detail::current_runtime());
  return true;
}

}  // namespace lockstep
