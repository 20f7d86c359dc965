// GoKer cockroach#10790: beginCmds leaves a goroutine waiting for commands
// that never finish. https://github.com/cockroachdb/cockroach/pull/10790
//
// beginCmds waits on its prerequisites' channels; when the context is
// cancelled it hands the wait to a goroutine that receives from every
// channel, including those it already received from, and from those whose
// sender gave up on the same cancellation: that goroutine blocks forever.
//
// Verdict: `leak` (the test returns after Stop()): fiber "drain-chans" (the
// goroutine beginCmds starts on cancellation) blocked [chan receive].
// No fixed twin: the senders here are the kernel's helper (not in the real
// code), which returns on cancellation; with it, a drain of any channel may
// wait forever, so no change to beginCmds alone passes every schedule.
//
// Port differences from Go:
// - `chan bool` is Chan<bool>, `chan struct{}` Chan<Empty>; the replica is
//   shared_ptr-owned since its goroutines outlive the test function.
// - Go's `go cancel()` and `go r.sendChans(ctx)` get fiber names: "cancel",
//   "sendChans"; `go r.beginCmds(ctx)` is "beginCmds".
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::cockroach10790 {

struct Stopper {
  Chan<Empty> quiescer{0};
  Mutex mu;
  bool quiescing = false;  // guarded by mu

  void quiesce() {
    std::lock_guard g(mu);
    if (!quiescing) {
      quiescing = true;
      quiescer.close();
    }
  }
  void stop() { quiesce(); }
};

struct Replica : std::enable_shared_from_this<Replica> {
  std::vector<Chan<bool>> chans{Chan<bool>(0), Chan<bool>(0)};
  Stopper stopper;

  void begin_cmds(const Context& ctx) {
    RecvChan<Empty> ctx_done = ctx.done();
    for (const Chan<bool>& ch : chans) {
      select(on_recv(ch), on_recv(ctx_done, [&] {
               go("drain-chans", [r = shared_from_this()] {
                 for (const Chan<bool>& c : r->chans) c.recv();  // BUG: channels nobody will send on
               });
             }));
    }
  }
  // The kernel's helper goroutine (not in the real bug): the prerequisites.
  void send_chans(const Context& ctx) {
    for (const Chan<bool>& ch : chans) {
      bool stopped = false;
      select(on_send(ch, true, [] {}), on_recv(ctx.done(), [&] { stopped = true; }));
      if (stopped) return;
    }
  }
};

inline void run() {
  auto r = std::make_shared<Replica>();
  auto [ctx, cancel] = with_cancel(background());
  go("sendChans", [r, ctx = ctx] { r->send_chans(ctx); });
  go("beginCmds", [r, ctx = ctx] { r->begin_cmds(ctx); });
  go("cancel", [cancel = cancel] { cancel(); });
  r->stopper.stop();
}

inline Scenario scenario() {
  return {"goker/cockroach/10790", "on cancellation beginCmds leaves a goroutine draining channels nobody sends on",
          {sim::Verdict::leak, "drain-chans", sim::FiberState::blocked, "chan receive", "leak: main returned"},
          "", &run};
}

}  // namespace lockstep::scenarios::cockroach10790
