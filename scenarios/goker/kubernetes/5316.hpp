// GoKer kubernetes/5316: a request times out, and the goroutine computing its answer blocks
// forever on the unbuffered reply channel.
//
// Upstream: kubernetes/kubernetes PR 5316 (https://github.com/kubernetes/kubernetes/pull/5316),
// the apiserver's finishRequest. GoBench: goker/blocking/kubernetes/5316.
// Bug: finishRequest() selects on ch, errCh and a 1 ms timeout; fn() takes 2 ms, so the timeout
// wins and nobody will ever receive the result fn's goroutine then sends.
//
// Verdict: `leak` on every schedule (GoBench: flaky 100/100): "finishRequest.func1" blocked
// [chan send].
//
// Fixed twin (goker/kubernetes/5316_fixed), the kernel's FIX comments: ch and errCh get a buffer
// of one, so the late send completes with nobody receiving.
//
// Port: time.Sleep and time.After are virtual. The test function then sleeps 10 ms before it
// returns: the simulation stops its clock when main returns (synctest), where Go's test leaves
// the goroutines running and goleak waits for them; without it the goroutine would be caught in
// its sleep, before the bug. `rand.Intn(10) > 5` is `choose(10) > 5`, a recorded decision
// (under FIFO choose() is 0: fn succeeds and sends on ch). The error is a lockstep::Error.
#pragma once

#include <chrono>
#include <functional>
#include <stdexcept>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_5316 {

template <bool Fixed>
void finish_request(Duration timeout, std::function<Error()> fn) {
  Chan<bool> ch(Fixed ? 1 : 0);
  Chan<Error> err_ch(Fixed ? 1 : 0);
  go("finishRequest.func1", [ch, err_ch, fn] {
    if (Error err = fn())
      err_ch.send(err);  // BUG (unbuffered): nobody receives after the timeout
    else
      ch.send(true);
  });
  select(on_recv(ch), on_recv(err_ch), on_recv(after(timeout)));
}

template <bool Fixed>
void kernel() {
  std::function<Error()> fn = [] {
    sleep(std::chrono::milliseconds(2));
    if (choose(10) > 5) return std::make_exception_ptr(std::runtime_error("Error"));
    return Error{};
  };
  go("finishRequest", [fn] { finish_request<Fixed>(std::chrono::milliseconds(1), fn); });
  sleep(std::chrono::milliseconds(10));  // goleak's wait (see Port)
}

inline Scenario scenario() {
  return {"goker/kubernetes/5316", "finishRequest: after the timeout, the result is sent on an unbuffered channel nobody reads",
          {sim::Verdict::leak, "finishRequest.func1", sim::FiberState::blocked, "chan send", "leak: main returned"},
          "goker/kubernetes/5316_fixed", &kernel<false>};
}

inline Scenario fixed_scenario() {
  return {"goker/kubernetes/5316_fixed", "finishRequest fixed: reply channels with a buffer of one",
          {}, "goker/kubernetes/5316", &kernel<true>};
}

}  // namespace lockstep::scenarios::goker_k8s_5316
