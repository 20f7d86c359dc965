// Waiter and WaitQueue: who is parked on a primitive, in arrival order.
//
// A Waiter is Go's sudog: one parked task's stake in one queue, living on the
// parked task's stack for as long as it waits. A select parks one task in
// several queues at once, one Waiter per case, all sharing a SelectGroup; the
// first case to fire claims the group, and the others become stale, to be
// skipped by whoever meets them and unlinked by their owner when it wakes.
//
// Invariants: a Waiter is in at most one queue; `queued` says whether; every
// field is guarded by the lock of the primitive that owns the queue.
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/seam.hpp"

namespace lockstep::detail {

struct SelectGroup {
  std::atomic<std::int32_t> winner{-1};  // the case that fired, or -1
};

struct Waiter {
  Task* task = nullptr;
  void* value = nullptr;  // a sender's value to take, or a receiver's slot to fill
  bool ok = false;        // set by the waker: delivered (false: the channel closed)
  SelectGroup* group = nullptr;  // set for a select case
  std::int32_t case_index = 0;
  bool queued = false;
  Waiter* prev = nullptr;
  Waiter* next = nullptr;

  // claim() is true if this waiter may be woken: always for a plain wait; for
  // a select case, only if no other case fired first (and then it fires).
  bool claim() noexcept {
    if (group == nullptr) return true;
    std::int32_t none = -1;
    return group->winner.compare_exchange_strong(none, case_index, std::memory_order_acq_rel);
  }
};

class WaitQueue {
 public:
  bool empty() const noexcept { return head_ == nullptr; }
  std::size_t size() const noexcept { return size_; }
  Waiter* front() const noexcept { return head_; }

  void push_back(Waiter& w) noexcept {
    w.prev = tail_;
    w.next = nullptr;
    (tail_ != nullptr ? tail_->next : head_) = &w;
    tail_ = &w;
    w.queued = true;
    ++size_;
  }
  void push_front(Waiter& w) noexcept {
    w.prev = nullptr;
    w.next = head_;
    (head_ != nullptr ? head_->prev : tail_) = &w;
    head_ = &w;
    w.queued = true;
    ++size_;
  }
  void remove(Waiter& w) noexcept {
    if (!w.queued) return;
    (w.prev != nullptr ? w.prev->next : head_) = w.next;
    (w.next != nullptr ? w.next->prev : tail_) = w.prev;
    w.queued = false;
    --size_;
  }
  // take() unlinks and returns the first waiter that can be claimed, dropping
  // stale select cases on the way; null if there is none.
  Waiter* take() noexcept {
    while (Waiter* w = head_) {
      remove(*w);
      if (w->claim()) return w;
    }
    return nullptr;
  }
  // has_live() is true if some waiter could still be claimed.
  bool has_live() const noexcept {
    for (Waiter* w = head_; w != nullptr; w = w->next)
      if (w->group == nullptr || w->group->winner.load(std::memory_order_acquire) < 0) return true;
    return false;
  }

 private:
  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace lockstep::detail
