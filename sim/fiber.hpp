// Fiber: a simulated task, its stack, and where it is in its life.
//
// Life of a fiber (the simulation owns every transition):
//
//   spawn ──> runnable ──(picked)──> running ──(park)──> blocked ──(ready)──> runnable
//                ^                     │  │
//                └──(yield/preempted)──┘  └──(body returned or threw)──> exited
//
// A fiber's `context` holds its suspended continuation while it is not
// running; it is empty while it runs, after it exited, and before its first
// run: a spawn keeps the body aside, and the first switch into the fiber
// takes a stack and moves the body onto it (Simulation::start_fiber()). So a
// fiber that never ran holds no stack, and one spawned into a wave whose
// fibers run one after another starts on the stack its predecessor just
// released, still in the cache. Exited fibers return to the simulation's
// pool; their stacks return to the StackPool as Boost.Context tears the
// fiber down.
#pragma once

#include <boost/context/fiber.hpp>

#include <cstdint>

#include "runtime/eh_state.hpp"
#include "runtime/sanitizer_hooks.hpp"
#include "runtime/seam.hpp"
#include "runtime/stack_pool.hpp"
#include "sim/report.hpp"

namespace lockstep::sim::detail {

using lockstep::detail::AsanStack;
using lockstep::detail::canary_intact;
using lockstep::detail::EhState;
using lockstep::detail::exchange_eh_state;
using lockstep::detail::finish_switch;
using lockstep::detail::install_overflow_handler;
using lockstep::detail::kCanaryBytes;
using lockstep::detail::Stack;
using lockstep::detail::StackPool;
using lockstep::detail::start_switch;
using lockstep::detail::tsan_constructing;
using lockstep::detail::tsan_create;
using lockstep::detail::tsan_current;
using lockstep::detail::tsan_destroy;
using lockstep::detail::tsan_switch_unordered;
using lockstep::detail::unwinding;

struct Fiber : lockstep::detail::Task {
  boost::context::fiber context;
  FiberState state = FiberState::runnable;
  lockstep::detail::WaitSite wait;  // valid while blocked or waiting
  SourceLocation site;              // last scheduling point or blocking site
  TimePoint blocked_since;
  Stack stack;  // empty until the first run
  EhState eh;
  AsanStack asan;  // empty without AddressSanitizer
  void* tsan = nullptr;  // ThreadSanitizer's state; null without it
  int race_depth = 0;    // its open race-detector ignores while switched out (runtime/race.hpp)
  // Where its body waits until the first run moves it onto the stack (the
  // simulation's table of bodies, Simulation::bodies_); kNoBody after. A
  // slot in a table, not a Body here: the index fits the record's padding,
  // where a Body would add a cache line to every record, cold in a teardown.
  std::uint32_t body_slot = kNoBody;
  static constexpr std::uint32_t kNoBody = ~std::uint32_t{0};
  std::int64_t priority = 0;  // PCT priority; higher runs first
  bool cancel = false;        // set when the run ends: the next park throws
  bool exited = false;
  // Set when teardown leaves the fiber where it is instead of unwinding it
  // (Simulation::leave()): it is never resumed, and its record is not reused.
  bool left_in_place = false;
  // Main's stack is kept until the run is over when main returns while
  // other fibers live: they may still refer to its locals.
  bool hold_stack = false;
  // The fiber that spawned this one (null: main, or a timer callback), and
  // its id then, to tell whether it has returned since (records are reused).
  Fiber* spawner = nullptr;
  std::uint64_t spawner_id = 0;
  // The live list, in spawn order (so in id order): dumps and teardown walk it.
  Fiber* prev_live = nullptr;
  Fiber* next_live = nullptr;
};

// RunQueue: runnable fibers in FIFO order; a growable ring of pointers.
class RunQueue {
 public:
  bool empty() const noexcept { return head_ == tail_; }
  std::size_t size() const noexcept { return tail_ - head_; }
  Fiber* operator[](std::size_t i) const noexcept { return ring_[(head_ + i) & mask_]; }
  void push_back(Fiber* f) {
    if (size() == capacity_) grow();
    ring_[tail_++ & mask_] = f;
  }
  Fiber* pop_front() noexcept { return ring_[head_++ & mask_]; }
  // rotate() is pop_front() then push_back(f), which never needs to grow:
  // a yield under FIFO.
  Fiber* rotate(Fiber* f) noexcept {
    Fiber* front = ring_[head_++ & mask_];
    ring_[tail_++ & mask_] = f;
    return front;
  }
  // take() removes the i-th fiber, keeping the others in order.
  Fiber* take(std::size_t i) noexcept {
    Fiber* f = (*this)[i];
    for (std::size_t j = i; j > 0; --j) ring_[(head_ + j) & mask_] = ring_[(head_ + j - 1) & mask_];
    ++head_;
    return f;
  }
  void clear() noexcept { head_ = tail_ = 0; }
  ~RunQueue() { delete[] ring_; }

 private:
  // Out of line: inlined, its registers would make every push_back (each
  // ready()) save and restore them.
  [[gnu::noinline]] void grow() {
    std::size_t cap = capacity_ == 0 ? 64 : capacity_ * 2;
    auto* ring = new Fiber*[cap];
    for (std::size_t i = 0; i < size(); ++i) ring[i] = (*this)[i];
    tail_ = size();
    head_ = 0;
    delete[] ring_;
    ring_ = ring;
    capacity_ = cap;
    mask_ = cap - 1;
  }
  Fiber** ring_ = nullptr;
  std::size_t capacity_ = 0, mask_ = 0, head_ = 0, tail_ = 0;
};

}  // namespace lockstep::sim::detail
