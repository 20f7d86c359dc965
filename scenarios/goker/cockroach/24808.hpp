// GoKer cockroach#24808: Start() writes to the compactor's full channel
// before starting its reader. https://github.com/cockroachdb/cockroach/pull/24808
//
// The compactor's suggestion channel has room for one; the test has already
// put a suggestion in it, and Start() then writes another, blocking, before
// it starts the worker that would drain it.
//
// Verdict: `deadlock` on every schedule (FIFO included): fiber "main"
// blocked [chan send]; no other fiber exists yet.
// Fixed twin (goker/cockroach/24808_fixed): the upstream fix makes Start()'s
// write non-blocking (a select with a default): a suggestion already queued
// is enough.
//
// Port differences from Go: `chan struct{}` is Chan<Empty>; the worker
// Stopper.RunWorker starts is the fiber "compactor"; `defer stopper.Stop()`
// is an explicit Stop() at the end of the test (nothing there throws); the
// stop WaitGroup is kept, as in Go, though nothing waits on it.
#pragma once

#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::cockroach24808 {

struct Stopper {
  WaitGroup stop;
  Chan<Empty> stopper{0};

  template <class F>
  void run_worker(const Context& ctx, F f) {
    stop.add(1);
    go("compactor", [this, ctx, f] {
      f(ctx);
      stop.done();
    });
  }
  RecvChan<Empty> should_stop() const { return stopper; }
  void stop_all() { stopper.close(); }
};

struct Compactor {
  Chan<Empty> ch{1};

  void start(const Context& ctx, const std::shared_ptr<Stopper>& stopper, bool fixed) {
    if (fixed)
      ch.try_send(Empty{});  // select { case c.ch <- struct{}{}: default: }
    else
      ch.send(Empty{});  // BUG: the channel may be full already
    stopper->run_worker(ctx, [ch = ch, stopper](const Context&) {
      for (;;) {
        bool stop = false;
        select(on_recv(stopper->should_stop(), [&] { stop = true; }), on_recv(ch));
        if (stop) return;
      }
    });
  }
};

inline void run(bool fixed) {
  auto stopper = std::make_shared<Stopper>();
  auto compactor = std::make_shared<Compactor>();
  compactor->ch.send(Empty{});
  compactor->start(background(), stopper, fixed);
  stopper->stop_all();
}

inline Scenario scenario() {
  return {"goker/cockroach/24808", "Start() writes to a full channel before starting the goroutine that drains it",
          {sim::Verdict::deadlock, "main", sim::FiberState::blocked, "chan send", "deadlock: all fibers are blocked"},
          "goker/cockroach/24808_fixed", [] { run(false); }};
}

inline Scenario fixed_scenario() {
  return {"goker/cockroach/24808_fixed", "Start()'s write to the channel does not block when it is full",
          {}, "goker/cockroach/24808", [] { run(true); }};
}

}  // namespace lockstep::scenarios::cockroach24808
