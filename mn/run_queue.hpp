// Run queues: where runnable goroutines wait for a worker.
//
// LocalQueue is one worker's: a ring of 256 slots that its owner pushes and
// pops without a lock, and that idle workers steal half of (Go's runq). The
// owner is the only writer of `tail_`; `head_` advances by CAS, by the owner
// popping or by a thief taking a batch. A slot is read before the CAS that
// claims it; the owner never overwrites a slot in [head, tail), so a read
// validated by a successful CAS is the value pushed there.
//
// GlobalQueue is shared: a list under a spin lock, for goroutines made
// runnable by a thread that is not a worker, and a local queue's overflow.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "mn/goroutine.hpp"

namespace lockstep::mn::detail {

class LocalQueue {
 public:
  static constexpr std::uint32_t kSize = 256;

  bool empty() const noexcept {
    return head_.load(std::memory_order_acquire) == tail_.load(std::memory_order_acquire);
  }
  std::uint32_t size() const noexcept {
    return tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_acquire);
  }

  // push() appends `g` (owner only); false if the ring is full.
  bool push(Goroutine* g) noexcept {
    std::uint32_t h = head_.load(std::memory_order_acquire);
    std::uint32_t t = tail_.load(std::memory_order_relaxed);
    if (t - h >= kSize) return false;
    slots_[t % kSize].store(g, std::memory_order_relaxed);
    tail_.store(t + 1, std::memory_order_release);
    return true;
  }

  // pop() takes the oldest goroutine (owner only); null if empty.
  Goroutine* pop() noexcept {
    std::uint32_t h = head_.load(std::memory_order_acquire);
    for (;;) {
      std::uint32_t t = tail_.load(std::memory_order_relaxed);
      if (t == h) return nullptr;
      Goroutine* g = slots_[h % kSize].load(std::memory_order_relaxed);
      if (head_.compare_exchange_weak(h, h + 1, std::memory_order_acq_rel, std::memory_order_acquire))
        return g;
    }
  }

  // take_half() moves the older half of the ring, at most `max`, into
  // `out` (owner: on overflow, to the global queue). Returns how many.
  std::uint32_t take_half(Goroutine** out, std::uint32_t max) noexcept {
    for (;;) {
      std::uint32_t h = head_.load(std::memory_order_acquire);
      std::uint32_t t = tail_.load(std::memory_order_acquire);
      std::uint32_t n = t - h;
      n -= n / 2;
      if (n > max) n = max;
      if (n == 0) return 0;
      if (n > kSize / 2 + 1) continue;  // read head and tail at different moments
      for (std::uint32_t i = 0; i < n; ++i) out[i] = slots_[(h + i) % kSize].load(std::memory_order_relaxed);
      if (head_.compare_exchange_strong(h, h + n, std::memory_order_acq_rel)) return n;
    }
  }

  // steal_into() moves about half of this ring into `thief`'s (a thief's
  // own, empty ring) and returns one of them to run at once; null if none.
  Goroutine* steal_into(LocalQueue& thief) noexcept {
    Goroutine* batch[kSize / 2 + 1];
    std::uint32_t n = take_half(batch, kSize / 2 + 1);
    if (n == 0) return nullptr;
    for (std::uint32_t i = 1; i < n; ++i) thief.push(batch[i]);
    return batch[0];
  }

 private:
  alignas(64) std::atomic<std::uint32_t> head_{0};
  alignas(64) std::atomic<std::uint32_t> tail_{0};
  std::atomic<Goroutine*> slots_[kSize] = {};
};

class GlobalQueue {
 public:
  bool empty() const noexcept { return size_.load(std::memory_order_acquire) == 0; }

  void push(Goroutine* g) noexcept { push_batch(g, g, 1); }
  // push_batch() appends a chain first..last linked through `link`.
  void push_batch(Goroutine* first, Goroutine* last, std::uint32_t n) noexcept {
    last->link = nullptr;
    std::lock_guard lock(mutex_);
    (tail_ != nullptr ? tail_->link : head_) = first;
    tail_ = last;
    size_.fetch_add(n, std::memory_order_release);
  }
  // pop() takes the oldest goroutine; null if empty.
  Goroutine* pop() noexcept {
    if (empty()) return nullptr;
    std::lock_guard lock(mutex_);
    Goroutine* g = head_;
    if (g == nullptr) return nullptr;
    head_ = g->link;
    if (head_ == nullptr) tail_ = nullptr;
    size_.fetch_sub(1, std::memory_order_release);
    return g;
  }
  // pop_batch() takes up to `max` of the oldest into `out`; returns how many.
  std::uint32_t pop_batch(Goroutine** out, std::uint32_t max) noexcept {
    if (empty()) return 0;
    std::lock_guard lock(mutex_);
    std::uint32_t n = 0;
    while (n < max && head_ != nullptr) {
      out[n++] = head_;
      head_ = head_->link;
    }
    if (head_ == nullptr) tail_ = nullptr;
    size_.fetch_sub(n, std::memory_order_release);
    return n;
  }

 private:
  SpinLock mutex_;
  Goroutine* head_ = nullptr;  // guarded by mutex_
  Goroutine* tail_ = nullptr;  // guarded by mutex_
  std::atomic<std::uint32_t> size_{0};
};

}  // namespace lockstep::mn::detail
