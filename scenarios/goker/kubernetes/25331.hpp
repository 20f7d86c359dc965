// GoKer kubernetes/25331: the etcd3 watcher cancels its own context, then sends a result nobody
// will read.
//
// Upstream: kubernetes/kubernetes PR 25331 (https://github.com/kubernetes/kubernetes/pull/25331),
// storage/etcd3 watcher. GoBench: goker/blocking/kubernetes/25331.
// Bug: run() takes the error Stop() sends, cancels the context itself and then sends on the
// unbuffered resultChan: Stop() never reads results, and the cancel that could have ended the
// wait has already happened.
//
// Verdict: `leak` on every schedule (GoBench: flaky 100/100): "run" blocked [chan send].
//
// Fixed twin (goker/kubernetes/25331_fixed): the kernel marks `wc.cancel()` in run() as removed
// by the fix; the upstream fix also sends the result in a select with ctx.Done(), as the etcd3
// watcher does since ("user has given up all results"), so Stop()'s cancel ends the send.
//
// Port: the watchChan is a shared_ptr (it outlives the test function); Go's error is a
// lockstep::Error (an exception_ptr to a std::runtime_error); `len(err.Error()) != 0` is
// `!error_message(err).empty()`.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_25331 {

struct WatchChan {
  Context ctx;
  CancelFunc cancel;
  Chan<bool> result_chan{0};
  Chan<Error> err_chan{0};

  WatchChan() : WatchChan(with_cancel(background())) {}
  explicit WatchChan(std::pair<Context, CancelFunc> c) : ctx(c.first), cancel(c.second) {}
  void stop() {
    err_chan.send(std::make_exception_ptr(std::runtime_error("Error")));
    cancel();
  }
  template <bool Fixed>
  void run() {
    select(on_recv(err_chan,
                   [this](std::optional<Error> err) {
                     bool err_result = err && !error_message(*err).empty();
                     if constexpr (Fixed) {
                       select(on_send(result_chan, err_result, [] {}), on_recv(ctx.done()));
                     } else {
                       cancel();                       // removed by the fix
                       result_chan.send(err_result);  // BUG: nobody receives, nothing cancels
                     }
                   }),
           on_recv(ctx.done()));
  }
};

template <bool Fixed>
void kernel() {
  auto wc = std::make_shared<WatchChan>();
  go("run", [wc] { wc->run<Fixed>(); });
  go("Stop", [wc] { wc->stop(); });
}

inline Scenario scenario() {
  return {"goker/kubernetes/25331", "etcd3 watcher: run() cancels its own context, then sends a result nobody reads",
          {sim::Verdict::leak, "run", sim::FiberState::blocked, "chan send", "leak: main returned"},
          "goker/kubernetes/25331_fixed", &kernel<false>};
}

inline Scenario fixed_scenario() {
  return {"goker/kubernetes/25331_fixed", "etcd3 watcher fixed: the result is sent in a select with ctx.Done()",
          {}, "goker/kubernetes/25331", &kernel<true>};
}

}  // namespace lockstep::scenarios::goker_k8s_25331
