// Sanitizer hooks for switching stacks: AddressSanitizer and ThreadSanitizer.
//
// ASan tracks one stack per thread; a jump onto a fiber's stack looks like
// a wild stack pointer and produces false reports (on the first throw in a
// fiber, on reuse of a pooled stack). The simulation therefore announces
// every switch: start_switch() just before the jump names the stack being
// entered, finish_switch() first thing after it learns the stack that was
// left. The run() caller's stack is learned that way, at main's first entry.
//
// ThreadSanitizer keeps a shadow state per thread of execution; each fiber
// gets its own (tsan_create), and every jump is announced just before it
// (tsan_switch), which also orders the two fibers' accesses (they never run
// at once). With g++, Boost's fiber constructor jumps onto the new stack and
// back, so construction happens inside the new fiber's state
// (tsan_constructing); clang's TSan must not see that jump announced
// (notes/fibers-and-tooling.md, section 5).
//
// Without the sanitizers these compile to nothing.
#pragma once

#include <cstddef>

#include "runtime/race.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define LOCKSTEP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LOCKSTEP_ASAN 1
#endif
#endif

// The race-detector build (runtime/race.hpp) compiles lockstep's own code
// without TSan's instrumentation, but its fibers are TSan fibers all the same.
#if defined(__SANITIZE_THREAD__) || defined(LOCKSTEP_RACE_DETECTOR)
#define LOCKSTEP_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LOCKSTEP_TSAN 1
#endif
#endif

#if defined(LOCKSTEP_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(LOCKSTEP_TSAN)
#include <sanitizer/tsan_interface.h>
#endif

namespace lockstep::detail {

// What ASan needs to know about one context's stack.
struct AsanStack {
  const void* bottom = nullptr;
  std::size_t size = 0;
  void* fake_stack = nullptr;  // ASan's fake frames of the suspended context
};

// `leaving` is null when the context being left is gone for good (an exit).
inline void start_switch(AsanStack* leaving, const AsanStack& entering) noexcept {
#if defined(LOCKSTEP_ASAN)
  __sanitizer_start_switch_fiber(leaving != nullptr ? &leaving->fake_stack : nullptr,
                                 entering.bottom, entering.size);
#else
  (void)leaving;
  (void)entering;
#endif
}

// `me` is the context now running (null fake stack on a first entry); `left`
// receives the bounds of the stack that was left.
inline void finish_switch(AsanStack* me, AsanStack& left) noexcept {
#if defined(LOCKSTEP_ASAN)
  __sanitizer_finish_switch_fiber(me != nullptr ? me->fake_stack : nullptr, &left.bottom, &left.size);
#else
  (void)me;
  (void)left;
#endif
}

// forget_stack() clears ASan's poisoning of a stack before it is reused.
inline void forget_stack(void* bottom, std::size_t size) noexcept {
#if defined(LOCKSTEP_ASAN)
  __asan_unpoison_memory_region(bottom, size);
#else
  (void)bottom;
  (void)size;
#endif
}

// TSan's state for one context; null without ThreadSanitizer.
inline void* tsan_current() noexcept {
#if defined(LOCKSTEP_TSAN)
  return __tsan_get_current_fiber();
#else
  return nullptr;
#endif
}
inline void* tsan_create() noexcept {
#if defined(LOCKSTEP_TSAN)
  return __tsan_create_fiber(0);
#else
  return nullptr;
#endif
}
inline void tsan_destroy(void* fiber) noexcept {
#if defined(LOCKSTEP_TSAN)
  if (fiber != nullptr) __tsan_destroy_fiber(fiber);
#else
  (void)fiber;
#endif
}
// tsan_switch() announces a jump into `fiber`; call it right before the jump.
inline void tsan_switch(void* fiber) noexcept {
#if defined(LOCKSTEP_TSAN)
  __tsan_switch_to_fiber(fiber, 0);
#else
  (void)fiber;
#endif
}
// tsan_switch_unordered() is tsan_switch() for a simulation: in the
// race-detector build the jump orders nothing (fibers that merely run one
// after the other are concurrent, as goroutines are); elsewhere it orders
// everything, as a real context switch on one thread does.
inline void tsan_switch_unordered(void* fiber) noexcept {
#if defined(LOCKSTEP_RACE_DETECTOR)
  __tsan_switch_to_fiber(fiber, __tsan_switch_to_fiber_no_sync);
#elif defined(LOCKSTEP_TSAN)
  __tsan_switch_to_fiber(fiber, 0);
#else
  (void)fiber;
#endif
}
// tsan_constructing() runs `construct` (Boost's fiber constructor) inside
// `fiber`'s state under g++, where the constructor's jump needs it. In the
// race-detector build these two jumps order nothing, and the new state does
// not record the construction's accesses (the closure moved onto its stack,
// which its creator's stack frame is then reused over): a synchronising
// switch releases on the target state's address, and TSan reuses a destroyed
// fiber's state for a new one, so the creator would acquire, through the
// new fiber, whatever the dead fiber's creator had done (races hidden). The
// `go` edge is the creation itself (TSan orders a fiber after its creator's
// past) and Simulation's release on the fiber record.
template <class F>
void tsan_constructing(void* fiber, F&& construct) {
#if defined(LOCKSTEP_TSAN) && !defined(__clang__)
  void* me = __tsan_get_current_fiber();
#if defined(LOCKSTEP_RACE_DETECTOR)
  tsan_switch_unordered(fiber);
  {
    RaceIgnore ignore;  // the new state's own bookkeeping (moving the closure in)
    construct();
  }
  tsan_switch_unordered(me);
#else
  __tsan_switch_to_fiber(fiber, 0);
  construct();
  __tsan_switch_to_fiber(me, 0);
#endif
#else
  (void)fiber;
  construct();
#endif
}

}  // namespace lockstep::detail
