// GoKer cockroach#1462: a transport worker blocked in a send its reader
// stopped reading. https://github.com/cockroachdb/cockroach/pull/1462
//
// The transport's worker loops "unless told to stop, send an event"; the
// send itself ignores the stop channel. Once Stop() closes it, the reader
// (processEventsUntil) may pick the stop case and return, and the worker
// stays in its send forever, so Stop()'s wait for its workers never ends.
//
// Verdict: `deadlock` (the test waits in Stop()): fiber "transport-worker"
// blocked [chan send]; main blocked [sync.WaitGroup.Wait].
// Fixed twin (goker/cockroach/1462_fixed): the send is a case of the select
// that watches the stop channel, so a stopped worker never waits in it.
//
// Port differences from Go:
// - `chan interceptMessage` is Chan<int>, `chan struct{}` Chan<Empty>; the
//   Transport interface and its empty Close are left out (never called).
// - Stopper keeps what Stop() uses: Quiesce's Cond wait on numTasks (never
//   taken here, numTasks stays 0) and the stopped channel; StartTask and
//   FinishTask, unused by the kernel's test, are left out.
// - The worker sends at most kEventsMax (100) events, then only waits for
//   the stop channel. Go's loop is endless and ends once Go's fair
//   scheduler lets the test close the stop channel; PCT is unfair by design
//   (a higher-priority pair keeps running), and with an endless loop the
//   worker and the reader could exchange events forever while the test
//   starves: a livelock verdict on some PCT schedules (1 in 10,000, the
//   twin's 11th, before PCT became fair past its step bound). The bound
//   stays: it keeps each run short. The bug is unchanged:
//   the send that ignores the stop channel is still the one that blocks.
#pragma once

#include <memory>
#include <mutex>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::cockroach1462 {

struct Stopper {
  Chan<Empty> stopper{0};
  Chan<Empty> stopped{0};
  WaitGroup stop;
  Mutex mu;
  Cond drain{mu};
  bool draining = false;  // guarded by mu
  int num_tasks = 0;      // guarded by mu

  template <class F>
  void run_worker(const char* name, F f) {
    add_worker();
    go(name, [this, f] {
      f();
      set_stopped();
    });
  }
  void add_worker() { stop.add(1); }
  void set_stopped() { stop.done(); }
  RecvChan<Empty> should_stop() const { return stopper; }
  void quiesce() {
    std::unique_lock g(mu);
    draining = true;
    while (num_tasks > 0) drain.wait();
  }
  void stop_all() {
    quiesce();
    stopper.close();
    stop.wait();
    std::lock_guard g(mu);
    stopped.close();
  }
};

// kEventsMax bounds the worker's loop (see the port differences).
inline constexpr int kEventsMax = 100;

struct Transport {
  Chan<int> events{0};
  Stopper* stopper = nullptr;

  void start(bool fixed) {
    stopper->run_worker("transport-worker", [this, fixed] {
      for (int sent = 0; sent < kEventsMax; ++sent) {
        bool stop = false;
        if (fixed)
          select(on_recv(stopper->should_stop(), [&] { stop = true; }), on_send(events, 0, [] {}));
        else
          select(on_recv(stopper->should_stop(), [&] { stop = true; }), on_default([&] {
                   events.send(0);  // BUG: blind to the stop channel
                 }));
        if (stop) return;
      }
      stopper->should_stop().recv();
    });
  }
};

inline void process_events_until(RecvChan<int> ch, Stopper& stopper) {
  for (;;) {
    bool stop = false;
    select(on_recv(ch, [&](std::optional<int> m) { stop = !m; }), on_recv(stopper.should_stop(), [&] { stop = true; }));
    if (stop) return;
  }
}

inline void run(bool fixed) {
  Stopper stopper;
  Transport transport;
  transport.stopper = &stopper;
  transport.start(fixed);
  stopper.run_worker("processEventsUntil", [&] { process_events_until(transport.events, stopper); });
  stopper.stop_all();
}

inline Scenario scenario() {
  return {"goker/cockroach/1462", "a worker's send ignores the stop channel, so Stop() waits for it forever",
          {sim::Verdict::deadlock, "transport-worker", sim::FiberState::blocked, "chan send",
           "deadlock: all fibers are blocked"},
          "goker/cockroach/1462_fixed", [] { run(false); }};
}

inline Scenario fixed_scenario() {
  return {"goker/cockroach/1462_fixed", "the worker's send is a case of the select that watches the stop channel",
          {}, "goker/cockroach/1462", [] { run(true); }};
}

}  // namespace lockstep::scenarios::cockroach1462
