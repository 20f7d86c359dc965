// SpinLock: the M:N runtime's lock for short critical sections (a queue's
// links, a free list). A test-and-test-and-set lock: uncontended, one atomic
// exchange and one store, where a std::mutex also costs a futex system call
// whenever two threads meet; contended, it spins a little, then yields the
// CPU to the holder (runtime/object_lock.hpp's wait_until_free()). Unlike an
// ObjectLock it always locks, whatever thread takes it.
#pragma once

#include <atomic>

#include "runtime/object_lock.hpp"

namespace lockstep::mn::detail {

class SpinLock {
 public:
  void lock() noexcept {
    while (held_.exchange(true, std::memory_order_acquire)) lockstep::detail::wait_until_free(held_);
  }
  void unlock() noexcept { held_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> held_{false};
};

}  // namespace lockstep::mn::detail
