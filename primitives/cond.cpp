#include "primitives/cond.hpp"

#include "primitives/internal/cancel_watch.hpp"

#include <fmt/format.h>

namespace lockstep {

Cond::Cond(Mutex& mutex) noexcept : mutex_(mutex), id_(detail::ObjectId::next()) {}

Cond::~Cond() {
  guard_.lock();
  detail::detach_waiters(*this, {&waiters_}, &signalled_);
  guard_.unlock();
  owner_.bury(detail::ObjectKind::cond, id_);
}

std::string Cond::describe() const {
  return fmt::format("cond #{}{} (mutex #{}{})", id_.global ? "g" : "", id_.value,
                     mutex_.id_.global ? "g" : "", mutex_.id_.value);
}

namespace {

// What wait() releases once its task counts as parked (Go's gopark unlockf):
// the Cond's lock, then the task that now holds the mutex, if any, is readied.
// It lives on the parking task's stack: everything is read before the lock is
// released, after which a signal may resume that task (M:N runtime).
struct ParkRelease {
  detail::ObjectLock* guard;
  detail::WakeList* wake;
  detail::Runtime* runtime;

  static void run(void* self) {
    auto* r = static_cast<ParkRelease*>(self);
    detail::ObjectLock* guard = r->guard;
    detail::WakeList wake = r->wake->take();
    detail::Runtime* runtime = r->runtime;
    guard->unlock();
    wake.ready_all(*runtime);
  }
};

}  // namespace

void Cond::wait(SourceLocation where) { (void)wait_with(nullptr, where); }

Error Cond::wait(const Context& ctx, SourceLocation where) { return wait_with(&ctx, where); }

Error Cond::wait_with(const Context* ctx, SourceLocation where) {
  detail::operation_point(where);
  if (ctx != nullptr) {
    if (Error e = ctx->err()) return e;  // still holding the mutex; binds nothing
  }
  if (!owner_.check(*this, where)) return nullptr;
  Mutex& mutex = mutex_;  // after the park, `this` may be gone (see mutex.hpp, Lifetime)
  if (!mutex.owner_.check(mutex, where)) return nullptr;
  detail::Runtime& rt = *detail::current_runtime();
  detail::SyncWaiter s(*this, rt.current());
  detail::WakeList wake;  // the mutex's next holder
  // The Cond's lock is held from the unlock of the mutex until the task is
  // parked, so a signal() cannot pick this waiter before it sleeps.
  guard_.lock();
  if (!mutex.unlock_for_wait(wake)) {
    owner_.release_if_idle(idle_locked());
    guard_.unlock();
    detail::fail_misuse("Cond.wait() without holding its mutex (unlock of unlocked mutex)", this,
                        where);
  }
  waiters_.push_back(s.waiter);
  bool cancelled = false;  // set by cancel(), under guard_
  detail::CancelWatch watch(ctx, s, [&] { cancel(s, cancelled); });
  if (watch.already()) {  // cancelled just now
    waiters_.remove(s.waiter);
    owner_.release_if_idle(idle_locked());
    guard_.unlock();
    wake.ready_all(rt);
    mutex.lock(where);
    return ctx->err();
  }
  {
    ParkRelease release{&guard_, &wake, &rt};
    auto leave = [&] { leave_wait(s, mutex); };
    rt.park(detail::WaitSite{"sync.Cond.Wait", &s, where, detail::leave_with(leave)},
            detail::Unlock{&ParkRelease::run, &release});
    // signal() or broadcast() took this waiter out of the queue, or cancel()
    // did; either way it waits in signalled_ until here.
    if (!s.detached()) {
      guard_.lock();
      signalled_.remove(s);
      owner_.release_if_idle(idle_locked());
      guard_.unlock();
    }
  }
  watch.stop();  // before relocking: once out of signalled_, `this` may go
  mutex.lock(where);
  return cancelled ? ctx->err() : nullptr;
}

void Cond::leave_wait(detail::SyncWaiter& s, Mutex& mutex) {
  if (s.detached()) return;  // the Cond, and likely its mutex, are gone
  guard_.lock();
  waiters_.remove(s.waiter);
  signalled_.remove(s);
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  mutex.relock_after_cancel();
}

bool Cond::cancel(detail::SyncWaiter& s, bool& cancelled) {
  detail::WakeList wake;
  guard_.lock();
  if (!s.waiter.queued) {  // signalled already (or cancelled twice): leave it alone
    guard_.unlock();
    return false;
  }
  waiters_.remove(s.waiter);
  signalled_.push(s);  // resolved, until its task is back from the park
  s.waiter.ok = false;
  cancelled = true;
  wake.add(s.waiter);
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  wake.ready_all(*detail::current_runtime());
  return true;
}

void Cond::signal(SourceLocation where) {
  detail::operation_point(where);
  if (!owner_.check(*this, where)) return;
  detail::WakeList wake;
  guard_.lock();
  if (detail::Waiter* w = waiters_.take()) detail::grant(*w, signalled_, wake);
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  if (!wake.empty()) wake.ready_all(*detail::current_runtime());
}

void Cond::broadcast(SourceLocation where) {
  detail::operation_point(where);
  if (!owner_.check(*this, where)) return;
  detail::WakeList wake;
  guard_.lock();
  while (detail::Waiter* w = waiters_.take()) detail::grant(*w, signalled_, wake);
  owner_.release_if_idle(idle_locked());
  guard_.unlock();
  if (!wake.empty()) wake.ready_all(*detail::current_runtime());
}

}  // namespace lockstep
