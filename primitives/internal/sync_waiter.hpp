// SyncWaiter: what the blocking sync primitives (Mutex, RWMutex, Cond, Once,
// WaitGroup, Semaphore) park with, a waiter that survives the primitive it
// waits on.
//
// Why a waiter must survive its primitive. Go's sync types are values, and
// so are lockstep's: they often live on a fiber's stack, while other fibers
// park on them. A fiber can then outlive the primitive it is parked on:
//   - main returns while fibers still wait on its local Mutex (a leak, which
//     the report must still describe);
//   - a fiber's locals can die before the fibers parked on them unwind (a
//     simulation tears fibers down newest first, which helps for locals of
//     an older fiber, but a fiber may wait on a newer fiber's local);
//   - a task was granted the primitive (the lock, units, a signal) but has
//     not run yet when the run ends.
// So a parked task parks on its own SyncWaiter, on its own stack: the dump
// describes the waiter, which forwards to the primitive while it lives and
// keeps its last description after ("mutex #1 held by fiber 1 (destroyed)").
// A primitive's destructor detaches every waiter it knows, queued or granted
// but not yet resumed; a detached waiter never touches the primitive again.
// This is a simulation safety net: on real threads, destroying a primitive
// while another thread uses it is a bug, as with std::mutex.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

#include "primitives/internal/blocking.hpp"
#include "runtime/wait_edges.hpp"

namespace lockstep::detail {

class GrantedList;

// SyncWaiter: one task parked on a sync primitive; lives on that task's stack
// for the whole wait, and is the WaitSite object the dump describes.
class SyncWaiter final : public Describes<SyncWaiter> {
 public:
  SyncWaiter(const Waitable& object, Task& task) noexcept : object_(&object) {
    waiter.task = &task;
    waiter.value = this;
  }
  SyncWaiter(const SyncWaiter&) = delete;
  SyncWaiter& operator=(const SyncWaiter&) = delete;

  static SyncWaiter& of(Waiter& w) noexcept { return *static_cast<SyncWaiter*>(w.value); }

  // The rest is guarded by the primitive's lock (detached(): by the sim's
  // single thread; see the file comment).
  Waiter waiter;            // links in the primitive's WaitQueue, then in a WakeList
  std::int64_t weight = 0;  // what the task asks for (Semaphore units)
  // Mutex: woken to compete for the lock rather than handed it (`retry`: on
  // real threads, or barged in a simulation), how many times it then lost
  // the race, and when it first queued (a simulation's starvation mode).
  bool retry = false;
  std::uint32_t lost = 0;
  TimePoint since{};

  // granted() is true between a grant and the task's return from its park.
  bool granted() const noexcept { return granted_; }
  // detached() is true once the primitive was destroyed.
  bool detached() const noexcept { return object_ == nullptr; }

  std::string describe() const { return object_ != nullptr ? object_->describe() : tombstone_; }
  // wait_edges() names the primitive, for the wait-for graph: every waiter on
  // one mutex is a wait on the same node.
  void wait_edges(WaitEdges& out) const {
    out.target = object_;
    out.weight = weight;
  }

 private:
  friend class GrantedList;
  friend void detach_waiters(const Waitable& object, std::initializer_list<WaitQueue*> queues,
                             GrantedList* granted);

  const Waitable* object_;  // the primitive; null once destroyed
  std::string tombstone_;   // its last description, once destroyed
  SyncWaiter* prev_ = nullptr;  // GrantedList links
  SyncWaiter* next_ = nullptr;
  bool granted_ = false;
};

// GrantedList: waiters granted what they waited for whose tasks have not yet
// returned from park(), so a destructor can detach them. Each task unlinks
// itself when it resumes.
class GrantedList {
 public:
  bool empty() const noexcept { return head_ == nullptr; }
  SyncWaiter* front() const noexcept { return head_; }
  SyncWaiter* next(const SyncWaiter& s) const noexcept { return s.next_; }

  void push(SyncWaiter& s) noexcept {
    s.prev_ = tail_;
    s.next_ = nullptr;
    (tail_ != nullptr ? tail_->next_ : head_) = &s;
    tail_ = &s;
    s.granted_ = true;
  }
  void remove(SyncWaiter& s) noexcept {
    if (!s.granted_) return;
    (s.prev_ != nullptr ? s.prev_->next_ : head_) = s.next_;
    (s.next_ != nullptr ? s.next_->prev_ : tail_) = s.prev_;
    s.granted_ = false;
  }

 private:
  SyncWaiter* head_ = nullptr;
  SyncWaiter* tail_ = nullptr;
};

// grant() moves a waiter just taken out of its queue to `granted` and to
// `wake`, with ok = true.
inline void grant(Waiter& w, GrantedList& granted, WakeList& wake) noexcept {
  granted.push(SyncWaiter::of(w));
  w.ok = true;
  wake.add(w);
}

// detach_waiters() is for a primitive's destructor: every waiter still in
// `queues` or in `granted` keeps `object`'s last description and forgets it.
inline void detach_waiters(const Waitable& object, std::initializer_list<WaitQueue*> queues,
                           GrantedList* granted) {
  bool any = granted != nullptr && !granted->empty();
  for (WaitQueue* q : queues) any = any || !q->empty();
  if (!any) return;
  std::string last = object.describe() + " (destroyed)";
  auto forget = [&](SyncWaiter& s) {
    s.tombstone_ = last;
    s.object_ = nullptr;
  };
  for (WaitQueue* q : queues)
    while (Waiter* w = q->front()) {
      q->remove(*w);
      forget(SyncWaiter::of(*w));
    }
  if (granted != nullptr)
    while (SyncWaiter* s = granted->front()) {
      granted->remove(*s);
      forget(*s);
    }
}

}  // namespace lockstep::detail
