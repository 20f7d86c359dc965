// Race-detector annotations: Go's happens-before rules told to ThreadSanitizer.
//
// In a build with LOCKSTEP_RACE_DETECTOR (CMake option of the same name;
// docs/testing-guide.md, "Data races"), every simulated fiber is a TSan
// fiber and a switch between fibers orders nothing, so TSan sees two fibers'
// plain accesses as concurrent unless a primitive says otherwise. The
// primitives say so with these calls, as Go's runtime does under -race:
//
//   race_release(addr)  the calling fiber's past happens before any later
//                       race_acquire(addr); call it after the value it
//                       publishes is written (a send, an unlock, a close)
//   race_acquire(addr)  the calling fiber now sees every release on addr;
//                       call it before the published value is read
//   RaceIgnore          a scope whose memory accesses (and malloc/free) TSan
//                       does not record: a primitive's own bookkeeping, which
//                       every fiber touches in turn, must neither be reported
//                       nor order the fibers' own accesses
//   RaceUserCode        a scope inside a RaceIgnore that runs user code again
//                       (a fiber's body, Once's function)
//
// `addr` is any address the primitive owns (itself, a waiter, a buffer
// slot). Ignores are counted per fiber, so a scope may span a park. Without
// LOCKSTEP_RACE_DETECTOR every call compiles to nothing.
#pragma once

#if defined(LOCKSTEP_RACE_DETECTOR)
#include <sanitizer/tsan_interface.h>
extern "C" {
void __tsan_ignore_thread_begin();
void __tsan_ignore_thread_end();
}
#endif

namespace lockstep::detail {

#if defined(LOCKSTEP_RACE_DETECTOR)
inline constexpr bool kRaceDetector = true;
// How many ignores the running fiber has open; a simulation keeps each
// fiber's across switches, to close them before TSan forgets a fiber that
// stopped inside one (a fiber left in place: TSan aborts on destroying a
// fiber that still ignores).
constinit inline thread_local int race_ignore_depth_ = 0;
inline void race_acquire(const void* addr) noexcept { __tsan_acquire(const_cast<void*>(addr)); }
inline void race_release(const void* addr) noexcept { __tsan_release(const_cast<void*>(addr)); }
// The count changes while the ignore is on: every fiber writes it, and TSan
// must not see those writes.
inline void race_ignore_begin() noexcept {
  __tsan_ignore_thread_begin();
  ++race_ignore_depth_;
}
inline void race_ignore_end() noexcept {
  --race_ignore_depth_;
  __tsan_ignore_thread_end();
}
// race_switch_depth() makes `next` the running fiber's count of open
// ignores and returns the count of the fiber switched from.
inline int race_switch_depth(int next) noexcept {
  int left = race_ignore_depth_;
  race_ignore_depth_ = next;
  return left;
}
// race_end_ignores() ends `n` ignores of TSan's current fiber, uncounted (a
// fiber that will not run again).
inline void race_end_ignores(int n) noexcept {
  for (; n > 0; --n) __tsan_ignore_thread_end();
}
#else
inline constexpr bool kRaceDetector = false;
inline void race_acquire(const void*) noexcept {}
inline void race_release(const void*) noexcept {}
inline void race_ignore_begin() noexcept {}
inline void race_ignore_end() noexcept {}
inline int race_switch_depth(int) noexcept { return 0; }
inline void race_end_ignores(int) noexcept {}
#endif

// race_sync() is both at once: the operation orders itself after every
// earlier one on addr and before every later one (a buffered channel's slot,
// as Go's racenotify).
inline void race_sync(const void* addr) noexcept {
  race_acquire(addr);
  race_release(addr);
}

struct RaceIgnore {
  RaceIgnore() noexcept { race_ignore_begin(); }
  ~RaceIgnore() { race_ignore_end(); }
  RaceIgnore(const RaceIgnore&) = delete;
  RaceIgnore& operator=(const RaceIgnore&) = delete;
};

struct RaceUserCode {
  RaceUserCode() noexcept { race_ignore_end(); }
  ~RaceUserCode() { race_ignore_begin(); }
  RaceUserCode(const RaceUserCode&) = delete;
  RaceUserCode& operator=(const RaceUserCode&) = delete;
};

}  // namespace lockstep::detail
