// GoKer etcd/6873: stop() waits for the broadcast loop while holding the
// lock that loop needs to finish its current update.
//
// Upstream: etcd-io/etcd commit 7618fdd1d642e47cac70c03f637b0fd798a53a6e,
// https://github.com/etcd-io/etcd/commit/7618fdd1d642e47cac70c03f637b0fd798a53a6e
// (GoBench goker/blocking/etcd/6873, mixed deadlock, channel & lock).
//
// newWatchBroadcasts() starts a loop that coalesces each update under
// wbs.mu and closes donec when updatec is closed. stop() locks wbs.mu,
// closes updatec and waits for donec; if the loop is in coalesce(), waiting
// for wbs.mu, neither can move.
//
// Verdict: leak once main has returned: "newWatchBroadcasts.func1" blocked
// [sync.Mutex.Lock] in coalesce(), "stop" blocked [chan receive] on donec.
//
// Port differences from Go:
// - *watchBroadcast is an int (the kernel never reads it).
// - The loop is named "newWatchBroadcasts.func1", as Go's traceback names
//   that anonymous goroutine; `go wbs.stop()` is named "stop".
//
// Fixed twin (goker/etcd/6873_fixed): stop() closes updatec under the lock
// but releases it before waiting for donec, which breaks the cycle of the
// README's trace. It passes on every schedule.
#pragma once

#include <chrono>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::etcd6873 {

struct WatchBroadcasts {
  Mutex mu;
  Chan<int> updatec{1};
  Chan<Empty> donec{0};

  void coalesce(int) {
    mu.lock();
    mu.unlock();
  }
  void stop(bool fixed) {
    mu.lock();
    updatec.close();
    if (fixed) mu.unlock();
    donec.recv();  // the bug: waits with mu held
    if (!fixed) mu.unlock();
  }
  void update(int wb) { (void)updatec.try_send(wb); }  // select with default
};

inline std::shared_ptr<WatchBroadcasts> new_watch_broadcasts() {
  auto wbs = std::make_shared<WatchBroadcasts>();
  go("newWatchBroadcasts.func1", [wbs] {
    for (int wb : wbs->updatec) wbs->coalesce(wb);
    wbs->donec.close();
  });
  return wbs;
}

inline void run(bool fixed) {
  auto wbs = new_watch_broadcasts();
  wbs->update(1);
  go("stop", [wbs, fixed] { wbs->stop(fixed); });
}

}  // namespace lockstep::scenarios::goker::etcd6873

namespace lockstep::scenarios {

inline Scenario goker_etcd6873() {
  return {"goker/etcd/6873", "etcd#6873: stop waits for the loop while holding the lock it needs",
          {sim::Verdict::leak, "newWatchBroadcasts.func1", sim::FiberState::blocked, "sync.Mutex.Lock",
           "leak: main returned"},
          "goker/etcd/6873_fixed", [] { goker::etcd6873::run(false); }};
}

inline Scenario goker_etcd6873_fixed() {
  return {"goker/etcd/6873_fixed", "etcd#6873 fixed: stop unlocks before waiting for the loop", {},
          "goker/etcd/6873", [] { goker::etcd6873::run(true); }};
}

}  // namespace lockstep::scenarios
