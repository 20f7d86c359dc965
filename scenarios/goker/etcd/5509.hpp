// GoKer etcd/5509: a failure path returns with a read lock still held, and
// the client's Close() then waits for the write lock for ever.
//
// Upstream: etcd-io/etcd pull request 5509,
// https://github.com/etcd-io/etcd/pull/5509 (GoBench goker/blocking/etcd/5509,
// resource deadlock, double locking).
//
// remoteClient.acquire() read-locks client.mu and, if the client is closed,
// returns ErrConnClosed without RUnlock. Close() drops and retakes the write
// lock after clearing `cancel`; a Get() that read-locks in that window sees
// the client closed and leaks its read lock, so Close()'s second Lock()
// never returns.
//
// Verdict: deadlock ("main" blocked [sync.RWMutex.Lock] in Close); FIFO runs
// Close() to its end before the getter starts, so only a schedule that runs
// the getter inside Close()'s unlock/lock window finds it.
//
// PCT and the spin: acquire() spins (RLock, RUnlock, again) until Close()
// clears `cancel`. With strict priorities to the end of the run, a getter
// ranked above main past PCT's last change point starved it into a
// livelock (PCT schedule 16 of seed 1 for this kernel, 2 for its twin); PCT
// is now fair past its step bound, as Go's preemptive scheduler is.
//
// Port differences from Go:
// - errors are a bool (closed or not); the kernel's fmt.Println on an
//   unexpected error cannot happen (acquire returns only ErrConnClosed).
// - The kv / KV interface chain Get -> Do -> do -> getRemote -> acquire is
//   one call: it holds no lock and blocks on nothing.
// - The getter goroutine is named "Get" after the call it runs.
// - context.WithCancel(context.TODO()) is lockstep::with_cancel; the
//   CancelFunc is kept in a std::optional (Go: nil once Close ran).
//
// Fixed twin (goker/etcd/5509_fixed): acquire() read-unlocks before
// returning ErrConnClosed, the fix the README quotes. It passes on every
// schedule.
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::etcd5509 {

struct Client {
  RWMutex mu;
  std::optional<CancelFunc> cancel;  // guarded by mu; empty once closed

  void close() {
    mu.lock();
    if (cancel) {
      (*cancel)();
      cancel.reset();
      mu.unlock();
      mu.lock();  // blocks for ever once a getter leaked its read lock
    }
    mu.unlock();  // Go's deferred Unlock
  }
};

struct RemoteClient {
  Client* client;
  Mutex mu;

  // acquire() spins until the client is closed; false is ErrConnClosed.
  bool acquire(bool fixed) {
    for (;;) {
      client->mu.rlock();
      bool closed = !client->cancel;
      mu.lock();
      mu.unlock();
      if (closed) {
        if (fixed) client->mu.runlock();
        return false;  // the bug: the read lock is still held
      }
      client->mu.runlock();
    }
  }
};

inline void run(bool fixed) {
  auto [ctx, cancel] = with_cancel(background());
  auto cli = std::make_shared<Client>();
  cli->cancel = cancel;
  auto rc = std::make_shared<RemoteClient>();
  rc->client = cli.get();
  Chan<Empty> donec(0);
  go("Get", [rc, cli, donec, fixed] {
    rc->acquire(fixed);  // always ErrConnClosed, as expected
    donec.close();
  });
  cli->close();
  donec.recv();
}

}  // namespace lockstep::scenarios::goker::etcd5509

namespace lockstep::scenarios {

inline Scenario goker_etcd5509() {
  return {"goker/etcd/5509", "etcd#5509: acquire returns holding a read lock, Close waits for ever",
          {sim::Verdict::deadlock, "main", sim::FiberState::blocked, "sync.RWMutex.Lock",
           "deadlock: all fibers are blocked"},
          "goker/etcd/5509_fixed", [] { goker::etcd5509::run(false); }};
}

inline Scenario goker_etcd5509_fixed() {
  return {"goker/etcd/5509_fixed", "etcd#5509 fixed: acquire read-unlocks before returning", {},
          "goker/etcd/5509", [] { goker::etcd5509::run(true); }};
}

}  // namespace lockstep::scenarios
