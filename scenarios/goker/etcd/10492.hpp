// GoKer etcd/10492: a lessor's Renew calls its checkpointer while holding
// the lessor's lock, and the checkpointer takes that lock again.
//
// Upstream: etcd-io/etcd pull request 10492,
// https://github.com/etcd-io/etcd/pull/10492 (GoBench goker/blocking/etcd/10492,
// resource deadlock, double locking).
//
// Renew() write-locks le.mu and, with the lock held, calls the checkpointer
// le.cp; the test's checkpointer calls Checkpoint(), which write-locks le.mu
// again. A Go RWMutex is not reentrant: main blocks on its own lock.
//
// Verdict: deadlock on every schedule (main is the only fiber), with "main"
// blocked [sync.RWMutex.Lock] on the rwmutex it holds itself.
//
// Port differences from Go:
// - The Checkpointer's context.Context argument is dropped: the kernel
//   passes context.Background() and never reads it.
// - `defer func() { unlock() }()` becomes a scope guard calling the same
//   `unlock` function object; the unused checkpointInterval is dropped.
//
// Fixed twin (goker/etcd/10492_fixed): Renew releases the lock before it
// calls the checkpointer and disarms its deferred unlock (which the
// kernel's `unlock` variable allows), so Checkpoint() finds le.mu free.
// It passes on every schedule.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::etcd10492 {

struct Lessor {
  RWMutex mu;
  std::function<void()> cp;  // the checkpointer; guarded by mu

  void checkpoint() {
    mu.lock();  // the second lock of the same RWMutex: blocks for ever
    mu.unlock();
  }
  void set_checkpointer(std::function<void()> f) {
    mu.lock();
    cp = std::move(f);
    mu.unlock();
  }
  // renew() calls the checkpointer with le.mu held (the bug) or, `fixed`,
  // after releasing it.
  void renew(bool fixed) {
    mu.lock();
    std::function<void()> unlock = [this] { mu.unlock(); };
    struct Deferred {
      std::function<void()>& f;
      ~Deferred() { f(); }
    } deferred{unlock};
    if (cp) {
      if (fixed) {
        unlock();
        unlock = [] {};
      }
      cp();
    }
  }
};

inline void run(bool fixed) {
  auto le = std::make_shared<Lessor>();
  le->set_checkpointer([le = le.get()] { le->checkpoint(); });
  le->mu.lock();
  le->mu.unlock();
  le->renew(fixed);
}

}  // namespace lockstep::scenarios::goker::etcd10492

namespace lockstep::scenarios {

inline Scenario goker_etcd10492() {
  return {"goker/etcd/10492", "etcd#10492: Renew calls the checkpointer, which locks the lessor again",
          {sim::Verdict::deadlock, "main", sim::FiberState::blocked, "sync.RWMutex.Lock",
           "deadlock: all fibers are blocked"},
          "goker/etcd/10492_fixed", [] { goker::etcd10492::run(false); }};
}

inline Scenario goker_etcd10492_fixed() {
  return {"goker/etcd/10492_fixed", "etcd#10492 fixed: Renew unlocks before calling the checkpointer", {},
          "goker/etcd/10492", [] { goker::etcd10492::run(true); }};
}

}  // namespace lockstep::scenarios
