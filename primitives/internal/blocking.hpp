// Helpers every blocking primitive shares.
#pragma once

#include "primitives/internal/wait_queue.hpp"
#include "runtime/misuse.hpp"
#include "runtime/object_lock.hpp"
#include "runtime/race.hpp"
#include "runtime/seam.hpp"

namespace lockstep::detail {

// TaskRef: which task holds something (a lock, a Once's run), for dumps and
// messages: "fiber 5", "goroutine 7", "thread 1". Empty: nobody.
struct TaskRef {
  std::uint64_t id = 0;
  const char* kind = "";
  static TaskRef of(const Task& t) noexcept { return {t.id, t.kind}; }
  // caller() is the calling task.
  static TaskRef caller() noexcept { return of(current_runtime()->current()); }
  bool operator==(const TaskRef& o) const noexcept { return id == o.id; }
  explicit operator bool() const noexcept { return id != 0; }
};
std::string to_string(TaskRef t);

// operation_point() is the scheduling point every primitive operation starts
// with, so a fuzzing strategy can interleave there (a no-op on real threads).
inline void operation_point(SourceLocation where) { current_runtime()->preemption_point(where); }

// WakeList: tasks to ready once the primitive's lock is released, linked
// through their Waiters (already out of any queue), so waking many tasks
// allocates nothing. Readies in the order added.
class WakeList {
 public:
  void add(Waiter& w) noexcept {
    w.next = nullptr;
    (tail_ != nullptr ? tail_->next : head_) = &w;
    tail_ = &w;
  }
  bool empty() const noexcept { return head_ == nullptr; }
  // take() moves the whole list out, leaving this one empty.
  WakeList take() noexcept {
    WakeList out = *this;
    head_ = tail_ = nullptr;
    return out;
  }
  // ready_all() must run after the lock is released: a woken waiter's memory
  // (on its task's stack) may be gone as soon as that task runs.
  void ready_all(Runtime& rt) {
    RaceIgnore ignore;  // the waiters' links: bookkeeping (runtime/race.hpp)
    Waiter* w = head_;
    head_ = tail_ = nullptr;
    while (w != nullptr) {
      Waiter* next = w->next;
      rt.ready(*w->task);
      w = next;
    }
  }

 private:
  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
};

}  // namespace lockstep::detail
