#include "mn/timers.hpp"

namespace lockstep::mn::detail {
namespace {

using lockstep::detail::TimerNode;

// The address of a thread_local identifies the calling thread.
const void* this_thread_mark() noexcept {
  static thread_local char mark;
  return &mark;
}

constinit thread_local int fires_in_progress = 0;

}  // namespace

bool Timers::in_fire() noexcept { return fires_in_progress > 0; }

void Timers::update_earliest() noexcept {
  earliest_.store(heap_.empty() ? kNone : heap_.earliest().time_since_epoch().count(),
                  std::memory_order_release);
}

bool Timers::firing_elsewhere(const TimerNode& node) const noexcept {
  for (const Firing& f : firing_)
    if (f.node == &node && f.thread != this_thread_mark()) return true;
  return false;
}

bool Timers::add(TimerNode& node) {
  std::lock_guard lock(mutex_);
  bool earliest = heap_.push(node);
  update_earliest();
  return earliest;
}

bool Timers::cancel(TimerNode& node) noexcept {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (heap_.remove(node)) {
      update_earliest();
      return true;
    }
    if (!firing_elsewhere(node)) return false;
    fired_.wait(lock);  // its fire() runs on another thread: wait for it to return
  }
}

void Timers::fire_due(std::int64_t now) {
  while (earliest_.load(std::memory_order_acquire) <= now) {
    std::unique_lock lock(mutex_);
    if (heap_.empty() || heap_.earliest().time_since_epoch().count() > now) {
      update_earliest();
      return;
    }
    TimerNode& node = heap_.pop();
    update_earliest();
    firing_.push_back(Firing{&node, this_thread_mark()});
    lock.unlock();
    ++fires_in_progress;
    node.fire(node);  // may free the node: only its address is used after
    --fires_in_progress;
    lock.lock();
    for (std::size_t i = firing_.size(); i > 0; --i)
      if (firing_[i - 1].node == &node && firing_[i - 1].thread == this_thread_mark()) {
        firing_.erase(firing_.begin() + static_cast<std::ptrdiff_t>(i - 1));
        break;
      }
    lock.unlock();
    fired_.notify_all();
  }
}

}  // namespace lockstep::mn::detail
