// ObjectLock and Owner: how one primitive's state is guarded and which
// runtime it belongs to.
//
// ObjectLock guards a primitive's fields. Inside a simulation it costs
// nothing: one fiber runs at a time and a primitive in use belongs to one
// simulation (Owner below), so lock() and unlock() return at once. On real
// threads it is a short test-and-test-and-set spin lock, held only for a few
// field updates, never across a park (park() releases it through Unlock);
// a waiter that spins for long yields its CPU to the holder.
//
// Owner follows DESIGN.md's "Ownership of objects": a primitive created in a
// simulation belongs to it for life (like a Go channel created in a bubble);
// one created outside any simulation (a global Mutex, Once, Atomic) binds to
// the runtime that uses it while it holds state or waiters and is free again
// when idle. Using an object from a runtime it is not bound to is misuse. All
// real threads share one runtime (the thread runtime), so they share objects
// freely, as Go's goroutines do.
#pragma once

#include <sched.h>

#include <atomic>

#include "runtime/misuse.hpp"
#include "runtime/seam.hpp"

namespace lockstep::detail {

class ObjectLock {
 public:
  void lock() noexcept {
    if (single_threaded()) return;
    while (held_.exchange(true, std::memory_order_acquire)) wait_unlocked();
  }
  void unlock() noexcept {
    if (single_threaded()) return;
    held_.store(false, std::memory_order_release);
  }
  // An Unlock that releases this lock as its task parks.
  Unlock unlock_on_park() noexcept {
    return Unlock{[](void* self) { static_cast<ObjectLock*>(self)->unlock(); }, this};
  }

 private:
  // wait_unlocked() spins briefly, then yields the CPU: with more threads
  // than cores the holder may have been preempted, and spinning on would
  // only delay it.
  void wait_unlocked() noexcept {
    for (int spins = 0; held_.load(std::memory_order_relaxed); ++spins) {
      if (spins < 64)
        __builtin_ia32_pause();
      else
        sched_yield();
    }
  }
  std::atomic<bool> held_{false};
};

class Owner {
 public:
  // Owner() records the creating runtime: a simulation owns the object for
  // life; null (outside any simulation) makes it bindable.
  Owner() noexcept
      : owner_(in_simulation() ? current_runtime()->identity() : 0), permanent_(in_simulation()) {}

  // check() binds the object to the calling runtime if it is free, or fails
  // with Misuse naming `object` if another runtime holds it.
  void check(const Waitable& object, SourceLocation where) {
    std::uint64_t me = current_runtime()->identity();
    std::uint64_t held = owner_.load(std::memory_order_acquire);
    if (held == me) [[likely]]
      return;
    // A failed bind leaves the current owner in `held`: another thread of the
    // same runtime may have bound it first.
    if (held == 0 && !permanent_ && (owner_.compare_exchange_strong(held, me) || held == me)) return;
    std::uint64_t threads = thread_runtime().identity();
    const char* what = permanent_ && me == threads
                           ? "use from a real thread of an object that belongs to a simulation"
                       : permanent_ ? "use of an object that belongs to another simulation"
                       : held == threads ? "use of an object that a thread outside any simulation is using"
                       : Runtime::is_live(held)
                           ? "use of an object that another runtime is using at the same time"
                           : "use of an object left in use by a simulation that has ended";
    fail_misuse(what, &object, where);
  }
  // bindable() is true for an object created outside any simulation.
  bool bindable() const noexcept { return !permanent_; }
  // release_if_idle() frees a bindable object once it holds no state.
  void release_if_idle(bool idle) noexcept {
    if (idle && !permanent_) owner_.store(0, std::memory_order_release);
  }

 private:
  // Threads outside any simulation share the thread runtime's identity: use
  // from them binds too, so a simulation cannot take an object they hold.
  std::atomic<std::uint64_t> owner_;  // Runtime::identity(); 0 when free
  bool permanent_;
};

// An object id: per simulation inside one (deterministic), process-wide
// outside (the thread runtime's), where it is shown with a "g" prefix
// ("mutex #g3").
struct ObjectId {
  std::uint64_t value;
  bool global;
  static ObjectId next() noexcept {
    return {current_runtime()->new_object_id(), !in_simulation()};
  }
};

}  // namespace lockstep::detail
