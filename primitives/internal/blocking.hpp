// Helpers every blocking primitive shares.
#pragma once

#include "primitives/internal/wait_queue.hpp"
#include "runtime/misuse.hpp"
#include "runtime/object_lock.hpp"
#include "runtime/seam.hpp"

namespace lockstep::detail {

// blocking_runtime() is the runtime a blocking operation parks on. Outside a
// simulation there is none until the real-thread runtime exists: Misuse.
Runtime& blocking_runtime(const char* operation, const Waitable* object, SourceLocation where);

// The same for a caller holding the primitive's `guard`: released before the
// Misuse is thrown, kept otherwise.
inline Runtime& blocking_runtime(ObjectLock& guard, const char* operation, const Waitable* object,
                                 SourceLocation where) {
  if (Runtime* rt = current_runtime()) [[likely]]
    return *rt;
  guard.unlock();
  return blocking_runtime(operation, object, where);
}

// caller_id() is the calling task's id (a lock holder, for dumps), or 0
// outside any runtime.
inline std::uint64_t caller_id() noexcept {
  Runtime* rt = current_runtime();
  return rt != nullptr ? rt->current().id : 0;
}

// operation_point() is the scheduling point every primitive operation starts
// with, so a fuzzing strategy can interleave there. No-op outside a runtime.
inline void operation_point(SourceLocation where) {
  if (Runtime* rt = current_runtime()) rt->preemption_point(where);
}

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
  // ready_all() must run after the lock is released: a woken waiter's memory
  // (on its task's stack) may be gone as soon as that task runs.
  void ready_all(Runtime& rt) {
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
