#include "primitives/select.hpp"

#include "runtime/race.hpp"
#include "runtime/wait_edges.hpp"

#include <algorithm>
#include <memory>
#include <vector>

namespace lockstep::detail {
namespace {

constexpr std::size_t kInlineCases = 16;

// Scratch arrays on the stack for up to kInlineCases cases, on the heap
// beyond: a select allocates nothing in the common case.
template <class T>
class Scratch {
 public:
  explicit Scratch(std::size_t n) : heap_(n > kInlineCases ? std::make_unique<T[]>(n) : nullptr) {}
  T& operator[](std::size_t i) noexcept { return heap_ ? heap_[i] : inline_[i]; }
  T* data() noexcept { return heap_ ? heap_.get() : inline_.data(); }

 private:
  std::array<T, kInlineCases> inline_{};
  std::unique_ptr<T[]> heap_;
};

// The channels' locks, taken in address order (the order any two selects
// agree on) and each once. In a simulation locks are free and skipped.
class LockSet {
 public:
  LockSet(CaseRef* cases, std::size_t n) : locks_(n) {
    if (single_threaded()) return;
    for (std::size_t i = 0; i < n; ++i)
      if (cases[i].lock != nullptr) locks_[count_++] = cases[i].lock;
    std::sort(locks_.data(), locks_.data() + count_);
    count_ = static_cast<std::size_t>(std::unique(locks_.data(), locks_.data() + count_) - locks_.data());
  }
  void lock() {
    for (std::size_t i = 0; i < count_; ++i) locks_[i]->lock();
  }
  void unlock() {
    for (std::size_t i = count_; i > 0; --i) locks_[i - 1]->unlock();
  }
  // unlock_on_park() releases the locks for a parking task. The set lives on
  // that task's stack, and the task may run again once any one lock is free
  // (M:N runtime): the locks are copied off it first.
  Unlock unlock_on_park() {
    return Unlock{[](void* self) {
                    auto* set = static_cast<LockSet*>(self);
                    std::size_t count = set->count_;
                    if (count <= kInlineCases) {
                      std::array<ObjectLock*, kInlineCases> locks;
                      std::copy_n(set->locks_.data(), count, locks.begin());
                      for (std::size_t i = count; i > 0; --i) locks[i - 1]->unlock();
                    } else {
                      std::vector<ObjectLock*> locks(set->locks_.data(), set->locks_.data() + count);
                      for (std::size_t i = count; i > 0; --i) locks[i - 1]->unlock();
                    }
                  },
                  this};
  }

 private:
  Scratch<ObjectLock*> locks_;
  std::size_t count_ = 0;
};

// What a select waits on, for the dump: "chan<int> #1 cap=0 len=0, chan<...>".
class SelectObject final : public Describes<SelectObject> {
 public:
  SelectObject(CaseRef* cases, std::size_t n) : cases_(cases), n_(n) {}
  std::string describe() const {
    std::string out;
    for (std::size_t i = 0; i < n_; ++i) {
      if (cases_[i].chan == nullptr) continue;
      if (!out.empty()) out += ", ";
      out += cases_[i].chan->describe();
    }
    return out;
  }
  void wait_edges(WaitEdges& out) const {
    for (std::size_t i = 0; i < n_; ++i)
      if (cases_[i].chan != nullptr) out.cases.push_back({cases_[i].chan, cases_[i].is_send});
  }

 private:
  CaseRef* cases_;
  std::size_t n_;
};

}  // namespace

namespace {

void release_channels(CaseRef* cases, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (cases[i].chan != nullptr) cases[i].release(cases[i].self);
}

}  // namespace

std::size_t select_cases(CaseRef* cases, std::size_t n, SourceLocation where) {
  // Race detector: the cases' queues, flags and values are bookkeeping
  // (LockSet takes no lock in a simulation); only a case's callback is the
  // program's (runtime/race.hpp).
  RaceIgnore ignore;
  auto run = [](CaseRef& c) {
    RaceUserCode user;
    c.run(c.self);
  };
  operation_point(where);
  std::size_t default_case = n, channel_cases = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!cases[i].is_default) continue;
    if (default_case != n) fail_misuse("select with two default cases", nullptr, where);
    default_case = i;
  }
  // Bind every channel to this runtime; every exit below unbinds the ones
  // made outside any simulation that are idle again (release_channels).
  for (std::size_t i = 0; i < n; ++i) {
    if (cases[i].chan == nullptr) continue;
    try {
      (void)cases[i].owner->check(*cases[i].chan, where);  // a channel is never buried
    } catch (...) {
      release_channels(cases, i);
      throw;
    }
    ++channel_cases;
  }
  LockSet locks(cases, n);
  locks.lock();

  // Pass 1: the cases that can proceed now, in case order.
  Scratch<std::uint32_t> ready(n);
  std::size_t n_ready = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (cases[i].chan == nullptr || !cases[i].ready(cases[i].self)) continue;
    if (cases[i].is_send && cases[i].closed(cases[i].self)) {
      // A send case is "ready" on a closed channel only to fail, as in Go.
      locks.unlock();
      release_channels(cases, n);
      fail_misuse("send on closed channel (in select)", cases[i].chan, where);
    }
    ready[n_ready++] = static_cast<std::uint32_t>(i);
  }
  if (n_ready > 0) {
    std::size_t pick = n_ready == 1 ? 0 : current_runtime()->choose(n_ready, where);
    CaseRef& c = cases[ready[pick]];
    WakeList wake;
    c.fire(c.self, wake);
    locks.unlock();
    if (!wake.empty()) wake.ready_all(*current_runtime());
    release_channels(cases, n);
    run(c);
    return ready[pick];
  }
  if (default_case != n) {
    locks.unlock();
    release_channels(cases, n);
    run(cases[default_case]);
    return default_case;
  }
  if (channel_cases == 0) {
    locks.unlock();
    select_forever(where);
  }

  // Pass 2: wait on every channel case; the first to fire claims the group.
  Runtime& rt = *current_runtime();
  SelectGroup group;
  Scratch<Waiter> waiters(n);
  // The channels outlive their handles while the select is parked on them
  // (a handle may be a dead frame's: see internal/counted.hpp).
  struct Held {
    CaseRef* cases;
    std::size_t n;
    ~Held() {
      for (std::size_t i = 0; i < n; ++i)
        if (cases[i].chan != nullptr) cases[i].drop(cases[i].self);
    }
  } held{cases, n};
  for (std::size_t i = 0; i < n; ++i) {
    if (cases[i].chan == nullptr) continue;
    cases[i].retain(cases[i].self);
    waiters[i].task = &rt.current();
    waiters[i].group = &group;
    waiters[i].case_index = static_cast<std::int32_t>(i);
    cases[i].enqueue(cases[i].self, waiters[i]);
  }
  SelectObject object(cases, n);
  auto dequeue_all = [&] {
    locks.lock();
    for (std::size_t i = 0; i < n; ++i)
      if (cases[i].chan != nullptr) cases[i].dequeue(cases[i].self, waiters[i]);
    locks.unlock();
  };
  // Race detector: each case's waiter is released now and the winner's
  // acquired once woken, as a channel's own park does (chan.hpp).
  for (std::size_t i = 0; i < n; ++i)
    if (cases[i].chan != nullptr) race_release(&waiters[i]);
  // Torn down, park() runs this before it throws (seam.hpp, Leave), as the
  // return does; `held` drops the references as the frame unwinds.
  auto leave = [&] {
    dequeue_all();
    release_channels(cases, n);
  };
  rt.park(WaitSite{"select", &object, where, leave_with(leave)}, locks.unlock_on_park());
  leave();
  auto winner = static_cast<std::size_t>(group.winner.load(std::memory_order_acquire));
  race_acquire(&waiters[winner]);
  cases[winner].complete(cases[winner].self, waiters[winner]);
  run(cases[winner]);
  return winner;
}

}  // namespace lockstep::detail

namespace lockstep {

void select_forever(SourceLocation where) {
  detail::Runtime& rt = *detail::current_runtime();
  for (;;) rt.park(detail::WaitSite{"select (no cases)", nullptr, where});
}

std::size_t select(SourceLocation where) { select_forever(where); }

}  // namespace lockstep
