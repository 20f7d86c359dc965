// GoKer etcd/6708: Sync() holds the cluster client's write lock while the
// leader lookup it triggers read-locks the same client.
//
// Upstream: etcd-io/etcd pull request 6708,
// https://github.com/etcd-io/etcd/pull/6708 (GoBench goker/blocking/etcd/6708,
// resource deadlock, double locking).
//
// httpClusterClient.Sync() write-locks the client and calls SetEndpoints();
// in EndpointSelectionPrioritizeLeader mode that asks the members API for
// the leader, which calls back into the client's Do(), and Do() read-locks
// the RWMutex Sync() holds: main waits for itself.
//
// Verdict: deadlock on every schedule (main is the only fiber), "main"
// blocked [sync.RWMutex.RLock].
//
// Port differences from Go:
// - The interfaces (Client, httpClient, MembersAPI) are concrete calls:
//   each has one implementation in the kernel; the contexts it passes
//   (context.Background()) are never read and are dropped.
//
// No fixed twin: the README names the double lock but not the fix, and the
// kernel keeps nothing of the upstream patch to mirror.
#pragma once

#include <chrono>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::etcd6708 {

enum class EndpointSelection { random, prioritize_leader };

struct HttpClusterClient {
  RWMutex mu;  // Go embeds sync.RWMutex in the struct
  EndpointSelection selection_mode = EndpointSelection::random;

  void do_request() {
    mu.rlock();  // blocks for ever: Sync() holds the write lock
    mu.runlock();
  }
  // The members API's Leader(): asks the client, which takes the lock.
  void leader() { do_request(); }
  void set_endpoints() {
    if (selection_mode == EndpointSelection::prioritize_leader) leader();
  }
  void sync() {
    mu.lock();
    set_endpoints();
    mu.unlock();
  }
};

inline void run() {
  auto hc = std::make_shared<HttpClusterClient>();
  hc->selection_mode = EndpointSelection::prioritize_leader;
  hc->sync();
}

}  // namespace lockstep::scenarios::goker::etcd6708

namespace lockstep::scenarios {

inline Scenario goker_etcd6708() {
  return {"goker/etcd/6708", "etcd#6708: Sync holds the write lock while the leader lookup read-locks",
          {sim::Verdict::deadlock, "main", sim::FiberState::blocked, "sync.RWMutex.RLock",
           "deadlock: all fibers are blocked"},
          "", &goker::etcd6708::run};
}

}  // namespace lockstep::scenarios
