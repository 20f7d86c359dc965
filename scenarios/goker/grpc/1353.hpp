// GoKer grpc/1353: the round-robin balancer sends an address update while
// holding its mutex, and the watcher that should receive it is waiting for
// that mutex.
//
// Upstream: grpc/grpc-go pull request 1353,
// https://github.com/grpc/grpc-go/pull/1353 (GoBench goker/blocking/grpc/1353,
// mixed deadlock, channel & lock).
//
// watchAddrUpdates() sends on the unbuffered addrCh with rr.mu held, 100
// times. The client's lbWatcher receives an update and tears down its
// address connections; each teardown calls the balancer's down(), which
// locks rr.mu. The next send blocks with rr.mu held while lbWatcher waits
// for rr.mu. The test only starts the goroutines and returns.
//
// Verdict: leak once main has returned: "Start.func1" blocked [chan send]
// with rr.mu held, "lbWatcher" blocked [sync.Mutex.Lock] in down().
//
// Port differences from Go:
// - The global HelpCh is a channel of the kernel's state (one per run).
// - The Balancer interface is the one roundRobin type.
// - Goroutines: "Start.func1" (the update loop), "lbWatcher",
//   "TestGrpc1353.func1" (closes the balancer after the updates).
//
// Fixed twin (goker/grpc/1353_fixed): addrCh has a buffer of one and
// watchAddrUpdates() drains it before sending, so the send never blocks
// with the mutex held (the patch the description states). It passes on
// every schedule.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::grpc1353 {

struct RoundRobin {
  Mutex mu;
  Chan<bool> addr_ch;  // nil until start()
  Chan<Empty> help_ch{0};
  bool fixed = false;

  // start() starts the update loop; `owner` keeps this balancer alive for it.
  void start(std::shared_ptr<const void> owner) {
    addr_ch = Chan<bool>(fixed ? 1 : 0);
    go("Start.func1", [this, owner] {
      for (int i = 0; i < 100; ++i) watch_addr_updates();
      help_ch.close();
    });
  }
  std::function<void()> up() {
    return [this] { down(); };
  }
  void close() {
    mu.lock();
    if (!addr_ch.is_nil()) addr_ch.close();
    mu.unlock();
  }
  void watch_addr_updates() {
    mu.lock();
    if (fixed) (void)addr_ch.try_recv();  // drain a stale update
    addr_ch.send(true);  // the bug: blocks with mu held
    mu.unlock();
  }
  void down() {
    mu.lock();
    mu.unlock();
  }
};

struct AddrConn {
  Mutex mu;
  std::function<void()> down;

  void tear_down() {
    mu.lock();
    if (down) down();
    mu.unlock();
  }
};

struct ClientConn {
  RoundRobin balancer;
  std::vector<std::shared_ptr<AddrConn>> conns;

  void lb_watcher() {
    for (bool addr : balancer.addr_ch) {
      (void)addr;
      std::vector<std::shared_ptr<AddrConn>> del(conns.begin(), conns.end());
      for (auto& c : del) c->tear_down();
    }
  }
};

inline void run(bool fixed) {
  auto cc = std::make_shared<ClientConn>();
  cc->balancer.fixed = fixed;
  for (int i = 0; i < 2; ++i) {
    auto ac = std::make_shared<AddrConn>();
    ac->down = cc->balancer.up();
    cc->conns.push_back(ac);
  }
  cc->balancer.start(cc);
  go("lbWatcher", [cc] { cc->lb_watcher(); });
  go("TestGrpc1353.func1", [cc] {
    cc->balancer.help_ch.recv();
    cc->balancer.close();
  });
}

}  // namespace lockstep::scenarios::goker::grpc1353

namespace lockstep::scenarios {

inline Scenario goker_grpc1353() {
  return {"goker/grpc/1353", "grpc#1353: the balancer sends an update holding the mutex its receiver needs",
          {sim::Verdict::leak, "lbWatcher", sim::FiberState::blocked, "sync.Mutex.Lock", "leak: main returned"},
          "goker/grpc/1353_fixed", [] { goker::grpc1353::run(false); }};
}

inline Scenario goker_grpc1353_fixed() {
  return {"goker/grpc/1353_fixed", "grpc#1353 fixed: a buffered addrCh, drained before each send", {},
          "goker/grpc/1353", [] { goker::grpc1353::run(true); }};
}

}  // namespace lockstep::scenarios
