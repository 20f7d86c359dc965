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
// real threads share one runtime (the real runtime), so they share objects
// freely, as Go's goroutines do.
//
// Owner is also the object's tombstone: a destructor buries it, so a task
// that outlived the object's scope (a leaked fiber's guard on main's mutex)
// gets a misuse naming the dead object, or, while its simulation tears it
// down, nothing at all, instead of reading freed state. Reading the tombstone
// needs the memory to still be there: a simulation keeps main's frame until
// the run is over (docs/simulation.md, "Teardown").
#pragma once

#include <sched.h>

#include <atomic>

#include "runtime/footprint.hpp"
#include "runtime/misuse.hpp"
#include "runtime/race.hpp"
#include "runtime/seam.hpp"

namespace lockstep::detail {

// wait_until_free() is a spin lock's wait, with exponential backoff: 1, 2,
// 4 ... 512 pause instructions between looks (about 60 us in all here),
// then it yields the CPU, since with more threads than cores the holder may
// have been preempted. Looking less often is what makes a contended lock
// fast: the holder keeps the cache line and does many operations in a row
// instead of handing it over at each one. Measured (bench/real_bench, two
// workers): 8 producers and 8 consumers on one channel 340 -> 95 ns per
// value, 32 goroutines on one Mutex 600 -> 140 ns per lock, against 64
// looks one pause apart.
inline void wait_until_free(const std::atomic<bool>& held) noexcept {
  for (int spins = 0; held.load(std::memory_order_relaxed); ++spins) {
    if (spins < 10)
      for (int i = 0; i < (1 << spins); ++i) __builtin_ia32_pause();
    else
      sched_yield();
  }
}

class ObjectLock {
 public:
  // In the race-detector build, what a simulation does under the lock is
  // bookkeeping TSan must not see (runtime/race.hpp): lock() and unlock()
  // bracket it, on the one fiber that takes and releases the lock.
  void lock() noexcept {
    if (single_threaded()) {
      race_ignore_begin();
      return;
    }
    while (held_.exchange(true, std::memory_order_acquire)) wait_until_free(held_);
  }
  void unlock() noexcept {
    if (single_threaded()) {
      race_ignore_end();
      return;
    }
    held_.store(false, std::memory_order_release);
  }
  // An Unlock that releases this lock as its task parks.
  Unlock unlock_on_park() noexcept {
    return Unlock{[](void* self) { static_cast<ObjectLock*>(self)->unlock(); }, this};
  }

 private:
  std::atomic<bool> held_{false};
};

// An object id: per simulation inside one (deterministic), process-wide
// outside (the real runtime's), where it is shown with a "g" prefix
// ("mutex #g3").
struct ObjectId {
  std::uint64_t value;
  bool global;
  static ObjectId next() noexcept {
    return {current_runtime()->new_object_id(), !in_simulation()};
  }
};

// What a buried object was, for the message about its use after death.
enum class ObjectKind : std::uint8_t { mutex, rwmutex, cond, waitgroup, once, semaphore };
const char* to_string(ObjectKind kind) noexcept;

class Owner {
 public:
  // Owner() records the creating runtime: a simulation owns the object for
  // life; null (outside any simulation) makes it bindable.
  Owner() noexcept
      : owner_(in_simulation() ? current_runtime()->identity() : 0), permanent_(in_simulation()) {}

  // check() binds the object to the calling runtime if it is free, or fails
  // with Misuse naming `object` if another runtime holds it, or if the object
  // was destroyed (bury()). It returns false, and the operation must return
  // at once without touching the object, only for a destroyed object used by
  // a task its simulation is tearing down (the teardown is not part of the
  // run: a guard unwinding in a leaked fiber may unlock a mutex that died
  // with main's frame).
  // check() is also where an operation's footprint is taken (footprint.hpp).
  [[nodiscard]] bool check(const Waitable& object, SourceLocation where) {
    touched(&object, Access::write);
    std::uint64_t me = current_runtime()->identity();
    std::uint64_t held = owner_.load(std::memory_order_acquire);
    if (held == me) [[likely]]
      return true;
    // A failed bind leaves the current owner in `held`: another thread of the
    // same runtime may have bound it first.
    if (held == 0 && !permanent_ && (owner_.compare_exchange_strong(held, me) || held == me)) return true;
    return check_slow(object, held, me, where);
  }
  // try_bind() is check() without the misuse: true if the object is bound
  // to the calling runtime now; false, changing nothing, if another runtime
  // holds it or it was destroyed.
  bool try_bind() noexcept;
  // bindable() is true for an object created outside any simulation.
  bool bindable() const noexcept { return !permanent_; }
  // release_if_idle() frees a bindable object once it holds no state.
  void release_if_idle(bool idle) noexcept {
    if (idle && !permanent_) owner_.store(0, std::memory_order_release);
  }
  // bury() is the last thing an object's destructor does: any later use of
  // its memory (a guard of a fiber that outlived the frame it lived in)
  // fails as "use of mutex #3 after it was destroyed" instead of reading
  // freed state. An atomic store, so the compiler keeps it although the
  // object's lifetime ends right after.
  void bury(ObjectKind kind, ObjectId id) noexcept {
    owner_.store(kBuried | (id.global ? kGlobalId : 0) |
                     (std::uint64_t{static_cast<std::uint8_t>(kind)} << kKindShift) | (id.value & kIdMask),
                 std::memory_order_release);
  }

 private:
  // A buried owner_: bit 63 set, bit 62 the id's "g", bits 56-61 the kind,
  // the rest the id. Runtime identities are small counters: never bit 63.
  static constexpr std::uint64_t kBuried = std::uint64_t{1} << 63;
  static constexpr std::uint64_t kGlobalId = std::uint64_t{1} << 62;
  static constexpr unsigned kKindShift = 56;
  static constexpr std::uint64_t kIdMask = (std::uint64_t{1} << kKindShift) - 1;

  bool check_slow(const Waitable& object, std::uint64_t held, std::uint64_t me, SourceLocation where);

  // Threads outside any simulation share the real runtime's identity: use
  // from them binds too, so a simulation cannot take an object they hold.
  std::atomic<std::uint64_t> owner_;  // Runtime::identity(); 0 when free; kBuried|... once destroyed
  bool permanent_;
};

}  // namespace lockstep::detail
