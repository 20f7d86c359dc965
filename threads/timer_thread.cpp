#include "threads/timer_thread.hpp"

#include <thread>

#include "runtime/clock.hpp"

namespace lockstep::threads::detail {
namespace {
// True on the timer thread and during an inline fire: a timer that fire()
// arms is then queued, never fired recursively.
constinit thread_local bool in_fire = false;
constinit thread_local bool on_timer_thread = false;
}  // namespace

void TimerThread::add(TimerNode& node) {
  if (node.when <= lockstep::detail::real_now() && !in_fire) {
    in_fire = true;
    node.fire(node);
    in_fire = false;
    return;
  }
  std::lock_guard lock(mutex_);
  if (!started_) {
    std::thread([this] { run(); }).detach();  // lives as long as the process, like the runtime
    started_ = true;
  }
  if (heap_.push(node)) changed_.notify_one();  // the new earliest
}

bool TimerThread::cancel(TimerNode& node) noexcept {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (heap_.remove(node)) return true;
    if (firing_ != &node || on_timer_thread) return false;  // not firing, or its own fire
    fired_.wait(lock);
  }
}

void TimerThread::run() {
  in_fire = on_timer_thread = true;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (heap_.empty()) {
      changed_.wait(lock);
      continue;
    }
    TimePoint due = heap_.earliest();
    if (due > lockstep::detail::real_now()) {
      changed_.wait_until(lock, lockstep::detail::to_steady(due));
      continue;
    }
    TimerNode& node = heap_.pop();
    firing_ = &node;
    lock.unlock();
    node.fire(node);
    lock.lock();
    firing_ = nullptr;
    fired_.notify_all();
  }
}

}  // namespace lockstep::threads::detail
