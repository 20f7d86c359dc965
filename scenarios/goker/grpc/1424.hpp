// GoKer grpc/1424: DialContext's goroutine waits for a done channel that
// the balancer watcher never closes.
//
// Upstream: grpc/grpc-go pull request 1424,
// https://github.com/grpc/grpc-go/pull/1424 (GoBench goker/blocking/grpc/1424,
// communication deadlock, channel).
//
// DialContext() starts a goroutine that starts lbWatcher and waits on
// doneChan; lbWatcher ranges over the balancer's address channel, which
// DialContext() closes, and returns without closing doneChan. The waiting
// goroutine stays blocked.
//
// Verdict: leak on every schedule, "DialContext.func1" blocked
// [chan receive] on doneChan.
//
// Port differences from Go:
// - The Balancer interface is the one roundRobin type; the test's
//   `go DialContext()` is a fiber named "DialContext".
// - Goroutines: "DialContext", "DialContext.func1" (the waiter),
//   "lbWatcher".
//
// Fixed twin (goker/grpc/1424_fixed): lbWatcher closes doneChan when it
// returns (the kernel's "FIX: defer close(doneChan)"). It passes on every
// schedule.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::grpc1424 {

struct AddrConn {
  Mutex mu;

  void tear_down() {
    mu.lock();
    mu.unlock();
  }
};

struct ClientConn {
  Chan<bool> addr_ch{0};  // the roundRobin balancer's Notify() channel
  std::vector<std::shared_ptr<AddrConn>> conns;

  void lb_watcher(Chan<bool> done_chan, bool fixed) {
    for (bool addr : addr_ch) {
      (void)addr;
      std::vector<std::shared_ptr<AddrConn>> del(conns.begin(), conns.end());
      for (auto& c : del) c->tear_down();
    }
    if (fixed) done_chan.close();
  }
};

inline void dial_context(bool fixed) {
  auto cc = std::make_shared<ClientConn>();
  go("DialContext.func1", [cc, fixed] {
    Chan<bool> ch = cc->addr_ch;
    if (!ch.is_nil()) {
      Chan<bool> done_chan(0);
      go("lbWatcher", [cc, done_chan, fixed] { cc->lb_watcher(done_chan, fixed); });
      done_chan.recv();  // blocks for ever: nobody closes it
    }
  });
  cc->addr_ch.close();
}

inline void run(bool fixed) {
  go("DialContext", [fixed] { dial_context(fixed); });
}

}  // namespace lockstep::scenarios::goker::grpc1424

namespace lockstep::scenarios {

inline Scenario goker_grpc1424() {
  return {"goker/grpc/1424", "grpc#1424: lbWatcher returns without closing the done channel it is waited on",
          {sim::Verdict::leak, "DialContext.func1", sim::FiberState::blocked, "chan receive",
           "leak: main returned"},
          "goker/grpc/1424_fixed", [] { goker::grpc1424::run(false); }};
}

inline Scenario goker_grpc1424_fixed() {
  return {"goker/grpc/1424_fixed", "grpc#1424 fixed: lbWatcher closes doneChan when it returns", {},
          "goker/grpc/1424", [] { goker::grpc1424::run(true); }};
}

}  // namespace lockstep::scenarios
