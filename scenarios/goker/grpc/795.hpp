// GoKer grpc/795: GracefulStop() returns without unlocking the server's
// mutex, so the next call (and the serving goroutine) wait for it for ever.
//
// Upstream: grpc/grpc-go pull request 795,
// https://github.com/grpc/grpc-go/pull/795 (GoBench goker/blocking/grpc/795,
// resource deadlock, double locking).
//
// The first GracefulStop() locks s.mu, sets drain and returns with s.mu
// held; the second locks s.mu again and blocks, as does Serve(). The test
// calls GracefulStop() three times from main.
//
// Verdict: deadlock on every schedule, "main" blocked [sync.Mutex.Lock] in
// the second GracefulStop(); "Serve" blocks on the same mutex unless it ran
// first.
//
// Port differences from Go: none beyond names: the goroutine is "Serve";
// the test's `test` wrapper holds the server.
//
// Fixed twin (goker/grpc/795_fixed): GracefulStop() unlocks on both paths
// (the README's missing unlock; the drain path returns instead of locking
// again). It passes on every schedule.
#pragma once

#include <chrono>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::grpc795 {

struct Server {
  Mutex mu;
  bool drain = false;  // guarded by mu

  void graceful_stop(bool fixed) {
    mu.lock();
    if (drain) {
      if (fixed) {
        mu.unlock();
        return;
      }
      mu.lock();  // the kernel locks again instead of unlocking
      return;
    }
    drain = true;
    if (fixed) mu.unlock();  // the bug: missing unlock
  }
  void serve() {
    mu.lock();
    mu.unlock();
  }
};

inline void run(bool fixed) {
  auto srv = std::make_shared<Server>();
  go("Serve", [srv] { srv->serve(); });
  for (int i = 0; i < 3; ++i) srv->graceful_stop(fixed);
}

}  // namespace lockstep::scenarios::goker::grpc795

namespace lockstep::scenarios {

inline Scenario goker_grpc795() {
  return {"goker/grpc/795", "grpc#795: GracefulStop returns holding the server's mutex",
          {sim::Verdict::deadlock, "main", sim::FiberState::blocked, "sync.Mutex.Lock",
           "deadlock: all fibers are blocked"},
          "goker/grpc/795_fixed", [] { goker::grpc795::run(false); }};
}

inline Scenario goker_grpc795_fixed() {
  return {"goker/grpc/795_fixed", "grpc#795 fixed: GracefulStop unlocks on every path", {},
          "goker/grpc/795", [] { goker::grpc795::run(true); }};
}

}  // namespace lockstep::scenarios
