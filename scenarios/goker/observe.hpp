// observe(): a read of racy memory that the compiler must keep.
//
// Go's race detector instruments every access the source makes, even a read
// whose value is never used (`_ = minConnectTimeout`, a range over a slice
// with an empty body): the compiler instruments before it optimises. g++
// runs ThreadSanitizer's pass after its optimisations, so at -O2 such a
// dead load is gone before it could be instrumented, and the race it is
// half of is never seen. A kernel passes the value it reads to observe(),
// which needs it in a register: the load stays, instrumented. Likewise a
// store that a later one overwrites (Go's `x = 10` then a deferred restore,
// the test's work between them dropped by the port) is gone unless settle()
// separates them.
//
//   observe(pkg.min_connect_timeout.count());   // Go: a read of the variable
//   pkg.rate = 10; settle(); pkg.rate = old;     // both stores made
#pragma once

#include <type_traits>

namespace lockstep::scenarios::goker {

template <class T>
  requires std::is_scalar_v<T>
inline void observe(T value) noexcept {
  asm volatile("" : : "r"(value));
}

// settle() makes every store before it and every load after it.
inline void settle() noexcept { asm volatile("" : : : "memory"); }

}  // namespace lockstep::scenarios::goker
