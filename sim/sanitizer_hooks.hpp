// AddressSanitizer hooks for switching stacks.
//
// ASan tracks one stack per thread; a jump onto a fiber's stack looks like
// a wild stack pointer and produces false reports (on the first throw in a
// fiber, on reuse of a pooled stack). The simulation therefore announces
// every switch: start_switch() just before the jump names the stack being
// entered, finish_switch() first thing after it learns the stack that was
// left. The run() caller's stack is learned that way, at main's first entry.
// Without ASan these compile to nothing.
#pragma once

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#define LOCKSTEP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LOCKSTEP_ASAN 1
#endif
#endif

#if defined(LOCKSTEP_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace lockstep::sim::detail {

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

}  // namespace lockstep::sim::detail
