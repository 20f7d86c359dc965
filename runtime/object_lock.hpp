// ObjectLock and Owner: how one primitive's state is guarded and which
// runtime it belongs to.
//
// ObjectLock guards a primitive's fields. Inside a simulation it costs
// nothing: one fiber runs at a time and a primitive in use belongs to one
// simulation (Owner below), so lock() and unlock() return at once. On real
// threads it is a short test-and-test-and-set spin lock, held only for a few
// field updates, never across a park (park() releases it through Unlock).
//
// Owner follows DESIGN.md's "Ownership of objects": a primitive created in a
// simulation belongs to it for life (like a Go channel created in a bubble);
// one created outside any simulation (a global Mutex, Once, Atomic) binds to
// the runtime that uses it while it holds state or waiters and is free again
// when idle. Using an object from a runtime it is not bound to is misuse.
#pragma once

#include <atomic>

#include "runtime/misuse.hpp"
#include "runtime/seam.hpp"

namespace lockstep::detail {

class ObjectLock {
 public:
  void lock() noexcept {
    if (single_threaded()) return;
    while (held_.exchange(true, std::memory_order_acquire))
      while (held_.load(std::memory_order_relaxed)) __builtin_ia32_pause();
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
  std::atomic<bool> held_{false};
};

class Owner {
 public:
  // Owner() records the creating runtime: a simulation owns the object for
  // life; null (outside any simulation) makes it bindable.
  Owner() noexcept
      : owner_(current_runtime() != nullptr ? current_runtime()->identity() : 0),
        permanent_(current_runtime() != nullptr) {}

  // check() binds the object to the calling runtime if it is free, or fails
  // with Misuse naming `object` if another runtime holds it.
  void check(const Waitable& object, SourceLocation where) {
    std::uint64_t me = identity_of(current_runtime());
    std::uint64_t held = owner_.load(std::memory_order_acquire);
    if (held == me) return;
    if (held == 0 && !permanent_ && owner_.compare_exchange_strong(held, me)) return;
    const char* what = permanent_ ? "use of an object that belongs to another simulation"
                       : held == kOutside ? "use of an object that a thread outside any simulation is using"
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
  // Threads outside any simulation share one identity: use from outside binds
  // too, so a simulation cannot take an object a thread is holding.
  static constexpr std::uint64_t kOutside = ~std::uint64_t{0};
  static std::uint64_t identity_of(const Runtime* rt) noexcept {
    return rt != nullptr ? rt->identity() : kOutside;
  }

  std::atomic<std::uint64_t> owner_;  // Runtime::identity() or kOutside; 0 when free
  bool permanent_;
};

// An object id: per simulation inside one (deterministic), process-wide
// outside, where it is shown with a "g" prefix ("mutex #g3").
struct ObjectId {
  std::uint64_t value;
  bool global;
  static ObjectId next() noexcept {
    if (Runtime* rt = current_runtime()) return {rt->new_object_id(), false};
    static std::atomic<std::uint64_t> counter{1};
    return {counter.fetch_add(1, std::memory_order_relaxed), true};
  }
};

}  // namespace lockstep::detail
