#include "primitives/once.hpp"

#include "runtime/race.hpp"
#include "runtime/wait_edges.hpp"

#include <fmt/format.h>

namespace lockstep {

Once::Once() noexcept : id_(detail::ObjectId::next()) {}

Once::~Once() {
  guard_.lock();
  detail::detach_waiters(*this, {&waiters_}, nullptr);
  guard_.unlock();
  owner_.bury(detail::ObjectKind::once, id_);
}

std::string Once::describe() const {
  std::string name = fmt::format("once #{}{}", id_.global ? "g" : "", id_.value);
  if (done_.load(std::memory_order_relaxed)) return name + " done";
  if (!running_) return name + " not run";
  return fmt::format("{} running in {}", name, detail::to_string(runner_));
}

void Once::wait_edges(detail::WaitEdges& out) const {
  if (running_) out.holders.push_back(runner_.id);
}

bool Once::begin(SourceLocation where) {
  if (!owner_.check(*this, where)) return false;  // torn down: f does not run
  detail::TaskRef me = detail::TaskRef::caller();
  guard_.lock();
  if (done_.load(std::memory_order_relaxed)) {
    owner_.release_if_idle(!running_ && waiters_.empty());
    guard_.unlock();
    return false;
  }
  if (!running_) {
    running_ = true;
    runner_ = me;
    guard_.unlock();
    return true;
  }
  if (runner_ == me) {
    guard_.unlock();
    detail::fail_misuse("Once.call() from inside its own function (a deadlock in Go)", this, where);
  }
  detail::Runtime* rt = detail::current_runtime();
  detail::SyncWaiter s(*this, rt->current());
  waiters_.push_back(s.waiter);
  auto leave = [&] { leave_wait(s); };
  rt->park(detail::WaitSite{"sync.Once.Do", &s, where, detail::leave_with(leave)}, guard_.unlock_on_park());
  return false;  // finish() woke it: f has run
}

void Once::leave_wait(detail::SyncWaiter& s) {
  if (s.detached() || !s.waiter.queued) return;  // the Once is gone, or finish() woke it
  guard_.lock();
  waiters_.remove(s.waiter);
  owner_.release_if_idle(!running_ && waiters_.empty());
  guard_.unlock();
}

void Once::finish() noexcept {
  detail::race_release(this);
  detail::WakeList wake;
  guard_.lock();
  done_.store(true, std::memory_order_release);
  running_ = false;
  runner_ = {};
  while (detail::Waiter* w = waiters_.take()) {
    w->ok = true;
    wake.add(*w);
  }
  owner_.release_if_idle(true);
  guard_.unlock();
  if (!wake.empty()) wake.ready_all(*detail::current_runtime());
}

void Once::abandon() noexcept {
  guard_.lock();
  running_ = false;
  runner_ = {};
  // Waiters stay queued: they belong to the same simulation, which is tearing
  // them down too; each leaves the queue as it unwinds.
  owner_.release_if_idle(waiters_.empty());
  guard_.unlock();
}

}  // namespace lockstep
