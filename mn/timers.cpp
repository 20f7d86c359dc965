#include "mn/timers.hpp"

#include <sched.h>

namespace lockstep::mn::detail {
namespace {

using lockstep::detail::TimerNode;

// The address of a thread_local identifies the calling thread.
const void* this_thread_mark() noexcept {
  static thread_local char mark;
  return &mark;
}

WorkerTimers* heap_of(const TimerNode& node) noexcept {
  return static_cast<WorkerTimers*>(std::atomic_ref<void* const>(node.heap).load(std::memory_order_acquire));
}

void set_heap(TimerNode& node, WorkerTimers* heap) noexcept {
  std::atomic_ref<void*>(node.heap).store(heap, std::memory_order_release);
}

}  // namespace

void WorkerTimers::update_earliest() noexcept {
  earliest_.store(heap_.empty() ? kNone : heap_.earliest().time_since_epoch().count(),
                  std::memory_order_release);
}

bool WorkerTimers::add(TimerNode& node) {
  std::lock_guard lock(mutex_);
  heap_.push(node);
  set_heap(node, this);
  update_earliest();
  return node.slot == 0;
}

bool WorkerTimers::cancel(TimerNode& node) noexcept {
  for (;;) {
    WorkerTimers* h = heap_of(node);
    if (h == nullptr) return false;  // never added, fired, or cancelled
    std::unique_lock lock(h->mutex_);
    if (heap_of(node) != h) continue;  // moved (a periodic timer re-armed elsewhere): retry
    if (h->heap_.remove(node)) {
      set_heap(node, nullptr);
      h->update_earliest();
      return true;
    }
    if (h->firing_ != &node || h->firing_thread_ == this_thread_mark()) return false;
    lock.unlock();  // its fire() runs on another thread: wait for it
    sched_yield();
  }
}

bool WorkerTimers::fire_due(std::int64_t now) {
  bool fired = false;
  while (earliest_.load(std::memory_order_acquire) <= now) {
    std::unique_lock lock(mutex_);
    if (heap_.empty() || heap_.earliest().time_since_epoch().count() > now) {
      update_earliest();
      break;
    }
    TimerNode& node = heap_.pop();
    set_heap(node, nullptr);  // a fire() that re-arms the node sets it again
    update_earliest();
    firing_ = &node;
    firing_thread_ = this_thread_mark();
    lock.unlock();
    node.fire(node);
    fired = true;
    lock.lock();
    firing_ = nullptr;
    firing_thread_ = nullptr;
  }
  return fired;
}

}  // namespace lockstep::mn::detail
