#include "threads/thread_task.hpp"

namespace lockstep::threads::detail {

void TaskRegistry::add(ThreadTask& t) {
  std::lock_guard lock(mutex_);
  t.id = next_id_++;
  t.prev = tail_;
  t.next = nullptr;
  (tail_ != nullptr ? tail_->next : head_) = &t;
  tail_ = &t;
  if (t.goroutine) goroutines_.fetch_add(1, std::memory_order_release);
}

void TaskRegistry::remove(ThreadTask& t) {
  {
    std::lock_guard lock(mutex_);
    (t.prev != nullptr ? t.prev->next : head_) = t.next;
    (t.next != nullptr ? t.next->prev : tail_) = t.prev;
    if (t.goroutine) goroutines_.fetch_sub(1, std::memory_order_release);
  }
  if (t.goroutine) ended_.notify_all();
}

bool TaskRegistry::wait_for_count(std::size_t n, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return ended_.wait_until(lock, deadline, [&] { return goroutines() <= n; });
}

std::vector<TaskSnapshot> TaskRegistry::snapshot() {
  std::vector<TaskSnapshot> out;
  std::lock_guard lock(mutex_);
  for (ThreadTask* t = head_; t != nullptr; t = t->next) {
    std::lock_guard task_lock(t->mutex);
    if (!t->goroutine && t->state != TaskState::blocked) continue;
    bool blocked = t->state == TaskState::blocked;  // else reason and object are stale
    out.push_back(TaskSnapshot{t->id, t->kind, t->name, t->state, blocked ? t->reason : "",
                               blocked ? t->object : std::string{}, t->spawned_at, t->site, t->since});
  }
  return out;
}

}  // namespace lockstep::threads::detail
