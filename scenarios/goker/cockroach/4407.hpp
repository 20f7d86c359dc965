// GoKer cockroach#4407 (non-blocking): WaitGroup.Add from a goroutine races
// with Stop()'s Wait. https://github.com/cockroachdb/cockroach/pull/4407
//
// Two Gossip goroutines each start a worker through Stopper.RunWorker, whose
// stop.Add(1) is not ordered before the test's deferred Stop(), which waits
// on stop. Go's race detector reports the Add (a read of the group's
// semaphore, when the counter leaves zero) against the Wait (a write, when
// it waits): it needs the Gossip goroutines to start their workers only
// after the test's 1 ms sleep.
//
// NOT FOUND by lockstep, on purpose not registered as a buggy scenario:
// virtual time moves only when no fiber can run, so every Gossip goroutine
// and worker has added and finished at +0s, long before the sleep ends and
// Stop() waits. On every schedule the Add happens before the Wait, which
// finds the counter at zero and does not wait; there is nothing to race.
// The test runs this body on 1,000 schedules of each strategy and asserts
// that every one passes (scenarios/tests/goker_cockroach_test.cpp).
// No fixed twin: there is nothing to fix on any schedule lockstep can run.
//
// Port differences from Go: `time.Sleep(time.Millisecond)` is a virtual
// sleep (the difference that hides the bug); `defer stopper.Stop()` is an
// explicit Stop() at the end; the goroutines are the fibers "Gossip" and
// "gossipSender" (RunWorker's goroutine); SetStopped, unused, is left out.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>

#include "lockstep.hpp"

namespace lockstep::scenarios::cockroach4407 {

struct Stopper {
  Chan<Empty> stopper{0};
  WaitGroup stop;
  Mutex mu;

  template <class F>
  void run_worker(F f) {
    stop.add(1);  // may come after Stop()'s Wait in Go
    go("gossipSender", [this, f] {
      f();
      stop.done();
    });
  }
  void stop_all() {
    stopper.close();
    stop.wait();
    std::lock_guard g(mu);
  }
};

struct Server {
  Mutex mu;
  Stopper* stopper = nullptr;

  void gossip() {
    std::lock_guard g(mu);
    stopper->run_worker([this] { gossip_sender(); });
  }
  void gossip_sender() { std::lock_guard g(mu); }
};

inline void run() {
  auto stopper = std::make_shared<Stopper>();
  auto s = std::make_shared<Server>();
  s->stopper = stopper.get();
  for (int i = 0; i < 2; ++i) go("Gossip", [s, stopper] { s->gossip(); });
  sleep(std::chrono::milliseconds(1));
  stopper->stop_all();
}

}  // namespace lockstep::scenarios::cockroach4407
