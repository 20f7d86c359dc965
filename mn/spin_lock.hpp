// SpinLock: the M:N runtime's lock for short critical sections (a queue's
// links, a free list). A test-and-test-and-set lock: uncontended, one atomic
// exchange and one store, where a std::mutex also costs a futex system call
// whenever two threads meet; contended, it spins a little, then yields the
// CPU to the holder (with more threads than cores it may be preempted).
#pragma once

#include <sched.h>

#include <atomic>

namespace lockstep::mn::detail {

class SpinLock {
 public:
  void lock() noexcept {
    while (held_.exchange(true, std::memory_order_acquire)) wait_unlocked();
  }
  void unlock() noexcept { held_.store(false, std::memory_order_release); }

 private:
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

}  // namespace lockstep::mn::detail
