// Parker: how one real thread waits to be readied (the thread runtime's
// park/ready).
//
// A binary permit, like Java's LockSupport: unpark() grants it, park()
// consumes it, waiting until it is granted. An unpark() that comes before the
// park() is kept, so the race between a waker and a task about to park loses
// nothing (the seam's park releases the primitive's lock before parking).
//
// park() may first spin (spin_rounds rounds of a pause instruction, 23 ns
// each here), so that a hand-off between two threads that both have a core
// completes without a futex sleep and wake; then it sleeps on a futex, and
// unpark() makes the wake-up system call only when the parker is asleep.
// Spinning is off by default: on this 2-core machine it lost everywhere
// (unbuffered ping-pong 7.6 us per round trip with 100 rounds against 5.8 us
// without; 8x8 channel throughput and Mutex too), because the thread to wait
// for rarely runs on the other core while this one spins
// (bench/threads_bench.cpp measures both).
//
// Invariants: state_ is empty, granted, or sleeping; only the owning thread
// parks; any thread may unpark.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace lockstep::threads::detail {

class Parker {
 public:
  // park() returns once the permit is granted, consuming it.
  void park() noexcept {
    for (int i = 0, n = spin_rounds.load(std::memory_order_relaxed); i < n; ++i) {
      if (state_.load(std::memory_order_acquire) == kGranted) {
        state_.store(kEmpty, std::memory_order_relaxed);
        return;
      }
      __builtin_ia32_pause();
    }
    std::uint32_t expected = kEmpty;
    if (state_.compare_exchange_strong(expected, kSleeping, std::memory_order_acquire)) {
      while (state_.load(std::memory_order_acquire) == kSleeping) futex(FUTEX_WAIT_PRIVATE, kSleeping);
    }
    state_.store(kEmpty, std::memory_order_relaxed);
  }

  // unpark() grants the permit, waking the parker if it sleeps.
  void unpark() noexcept {
    if (state_.exchange(kGranted, std::memory_order_release) == kSleeping) futex(FUTEX_WAKE_PRIVATE, 1);
  }

  // spin_rounds is how long park() spins before it sleeps: a knob for
  // bench/threads_bench.cpp, which measures with and without spinning.
  static inline std::atomic<int> spin_rounds{0};

 private:
  static constexpr std::uint32_t kEmpty = 0, kGranted = 1, kSleeping = 2;

  void futex(int op, std::uint32_t value) noexcept {
    // A spurious return (EINTR, EAGAIN) is harmless: park() re-checks state_.
    syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&state_), op, value, nullptr, nullptr, 0);
  }

  std::atomic<std::uint32_t> state_{kEmpty};
};

}  // namespace lockstep::threads::detail
