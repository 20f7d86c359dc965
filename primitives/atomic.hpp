// Atomic<T>: Go's sync/atomic types (atomic.Int64, atomic.Bool,
// atomic.Pointer[T]) for an integral, bool or pointer T.
//
//   constinit lockstep::Atomic<int> in_flight{0};   // a global is fine
//   in_flight.fetch_add(1);
//   if (in_flight.load() > limit) shed();
//
// Operations (each takes `where` last, for traces):
//   load()                        the value
//   store(v)                      sets it
//   exchange(v)                   sets it, returns the old value
//   compare_exchange(expected, v) sets v if the value equals `expected` and
//                                 returns true; else loads it into `expected`
//                                 and returns false (strong, never spurious)
//   fetch_add(d), fetch_sub(d)    adds / subtracts, returns the old value
//                                 (integers but bool; pointers in elements)
// Nothing here blocks. Every access is first a scheduling point (in a
// simulation a fuzzing strategy may switch fibers right before it, which is
// how lost updates between a load() and a store() are found), then a
// sequentially consistent std::atomic access. Outside any simulation it is a
// plain std::atomic<T>, safe from any thread.
//
// Differences from Go: the operations are named after std::atomic (Go's Add
// returns the new value; fetch_add returns the old one). An Atomic never
// binds to a runtime (see object_lock.hpp's Owner): it has no waiters and no
// state held across operations, so "used by two runtimes at the same time"
// has no meaning for it; it is as thread-safe as std::atomic.
#pragma once

#include <atomic>
#include <cstddef>
#include <type_traits>

#include "primitives/internal/blocking.hpp"

namespace lockstep {

template <class T>
class Atomic {
  static_assert(std::is_integral_v<T> || std::is_pointer_v<T>,
                "Atomic<T>: T must be an integral type, bool or a pointer");
  static constexpr bool kArithmetic = !std::is_same_v<T, bool>;
  using Delta = std::conditional_t<std::is_pointer_v<T>, std::ptrdiff_t, T>;

 public:
  // Atomic() holds T{} (0, false, nullptr), as Go's zero value.
  constexpr Atomic() noexcept : value_(T{}) {}
  // Atomic(v) holds v. Not explicit, so `Atomic<int> x = 0;` compiles as with
  // std::atomic (copy-initialisation from T; Atomic itself is not copyable).
  constexpr Atomic(T initial) noexcept : value_(initial) {}  // NOLINT(google-explicit-constructor)
  Atomic(const Atomic&) = delete;
  Atomic& operator=(const Atomic&) = delete;

  // load() returns the value.
  T load(SourceLocation where = SourceLocation::current()) const {
    detail::operation_point(where);
    detail::touched(this, detail::Access::read);
    return value_.load();
  }
  // store() sets the value.
  void store(T desired, SourceLocation where = SourceLocation::current()) {
    detail::operation_point(where);
    detail::touched(this, detail::Access::write);
    value_.store(desired);
  }
  // exchange() sets the value and returns the previous one.
  T exchange(T desired, SourceLocation where = SourceLocation::current()) {
    detail::operation_point(where);
    detail::touched(this, detail::Access::write);
    return value_.exchange(desired);
  }
  // compare_exchange() sets `desired` and returns true if the value was
  // `expected`; otherwise it stores the value into `expected` and returns false.
  bool compare_exchange(T& expected, T desired, SourceLocation where = SourceLocation::current()) {
    detail::operation_point(where);
    detail::touched(this, detail::Access::write);
    return value_.compare_exchange_strong(expected, desired);
  }
  // fetch_add() adds `delta` (elements, for a pointer) and returns the old value.
  T fetch_add(Delta delta, SourceLocation where = SourceLocation::current())
    requires kArithmetic
  {
    detail::operation_point(where);
    detail::touched(this, detail::Access::write);
    return value_.fetch_add(delta);
  }
  // fetch_sub() subtracts `delta` and returns the old value.
  T fetch_sub(Delta delta, SourceLocation where = SourceLocation::current())
    requires kArithmetic
  {
    detail::operation_point(where);
    detail::touched(this, detail::Access::write);
    return value_.fetch_sub(delta);
  }

 private:
  std::atomic<T> value_;  // lock-free on every supported target; no other state
};

}  // namespace lockstep
