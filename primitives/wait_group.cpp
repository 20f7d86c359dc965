#include "primitives/wait_group.hpp"

#include "primitives/internal/cancel_watch.hpp"
#include "runtime/race.hpp"

#include <fmt/format.h>

namespace lockstep {

WaitGroup::WaitGroup() noexcept : id_(detail::ObjectId::next()) {}

WaitGroup::~WaitGroup() {
  guard_.lock();
  detail::detach_waiters(*this, {&waiters_}, &woken_);
  guard_.unlock();
  owner_.bury(detail::ObjectKind::waitgroup, id_);
}

std::string WaitGroup::describe() const {
  return fmt::format("waitgroup #{}{} count={}", id_.global ? "g" : "", id_.value, count_);
}

// Race detector (runtime/race.hpp): done() (a negative add) happens before
// the wait() it lets return; both sync on the group, as Go's WaitGroup does.
void WaitGroup::add(std::int64_t delta, SourceLocation where) {
  detail::operation_point(where);
  if (!owner_.check(*this, where)) return;
  if (delta < 0) detail::race_release(this);
  detail::WakeList wake;
  guard_.lock();
  std::int64_t next = count_ + delta;
  if (next < 0 || (delta > 0 && count_ == 0 && !woken_.empty())) {
    owner_.release_if_idle(idle_locked());
    guard_.unlock();
    detail::fail_misuse(next < 0 ? "sync: negative WaitGroup counter"
                                 : "WaitGroup is reused before previous Wait has returned",
                        this, where);
  }
  count_ = next;
  if (count_ == 0) {
    while (detail::Waiter* w = waiters_.take()) detail::grant(*w, woken_, wake);
  }
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  if (!wake.empty()) wake.ready_all(*detail::current_runtime());
}

// Without a context the wait cannot be cancelled: the error is always null.
void WaitGroup::wait(SourceLocation where) {
  (void)wait_in(nullptr, where);
  detail::race_acquire(this);
}

Error WaitGroup::wait(const Context& ctx, SourceLocation where) {
  Error e = wait_in(&ctx, where);
  if (!e) detail::race_acquire(this);
  return e;
}

// wait_in() is wait() without a context, wait(ctx) with one.
Error WaitGroup::wait_in(const Context* ctx, SourceLocation where) {
  detail::operation_point(where);
  if (ctx != nullptr)
    if (Error e = ctx->err()) return e;
  if (!owner_.check(*this, where)) return nullptr;
  guard_.lock();
  if (count_ == 0) {
    owner_.release_if_idle(idle_locked());
    guard_.unlock();
    return nullptr;
  }
  detail::Runtime& rt = *detail::current_runtime();
  detail::SyncWaiter s(*this, rt.current());
  waiters_.push_back(s.waiter);
  bool cancelled = false;  // set by cancel(), under guard_
  detail::CancelWatch watch(ctx, s, [&] { cancel(s, cancelled); });
  if (watch.already()) {  // cancelled just now
    waiters_.remove(s.waiter);
    owner_.release_if_idle(idle_locked());
    guard_.unlock();
    return ctx->err();
  }
  park_queued(rt, s, cancelled, where);
  return cancelled ? ctx->err() : nullptr;
}

void WaitGroup::park_queued(detail::Runtime& rt, detail::SyncWaiter& s, const bool& cancelled,
                            SourceLocation where) {
  auto leave = [&] { leave_park(s, cancelled); };
  rt.park(detail::WaitSite{"sync.WaitGroup.Wait", &s, where, detail::leave_with(leave)},
          guard_.unlock_on_park());
  if (s.detached() || cancelled) return;
  guard_.lock();
  woken_.remove(s);  // this wait() has returned: the group may be reused
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
}

void WaitGroup::leave_park(detail::SyncWaiter& s, bool cancelled) {
  if (s.detached() || cancelled) return;  // the group is gone, or `s` is in no list
  guard_.lock();
  waiters_.remove(s.waiter);
  woken_.remove(s);
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
}

bool WaitGroup::cancel(detail::SyncWaiter& s, bool& cancelled) {
  detail::WakeList wake;
  guard_.lock();
  if (!s.waiter.queued) {  // woken already (or cancelled twice): leave it alone
    guard_.unlock();
    return false;
  }
  waiters_.remove(s.waiter);
  s.waiter.ok = false;
  cancelled = true;
  wake.add(s.waiter);
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  wake.ready_all(*detail::current_runtime());
  return true;
}

}  // namespace lockstep
