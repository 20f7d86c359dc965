// GoKer kubernetes/70277: the test waits on the `done` channel WaitFor() was given, which only
// the test itself closes.
//
// Upstream: kubernetes/kubernetes PR 70277 (https://github.com/kubernetes/kubernetes/pull/70277),
// wait.WaitFor and wait.poller. GoBench: goker/blocking/kubernetes/70277.
// Bug: the test captures the done channel handed to its WaitFunc and receives from it after
// WaitFor() returned; that channel is the test's own stopCh, closed only by its deferred close,
// so the receive can never end. The poller goroutine runs on until its 20 s timeout.
//
// Verdict: `deadlock` at +20s, on every schedule: "main" blocked [chan receive]; by then the
// poller has stopped its ticker and timer and exited, and nothing else can happen.
//
// Fixed twin (goker/kubernetes/70277_fixed), the upstream fix ("Fix goroutine leak of
// wait.poller": WaitFor() cancels the WaitFunc when it returns): WaitFor() hands the WaitFunc a
// channel of its own and closes it on return, so the poller stops at once and the test's receive
// ends.
//
// Port: the ticker and the timer are virtual (the 20 s ForeverTestTimeout costs 20,000 virtual
// ticks, no real time); the non-blocking send `select { case ch <- struct{}{}: default: }` is
// try_send; `_, open := <-c` is `recv().has_value()`; the deferred Stop()s and close(ch) run
// when the poller returns.
#pragma once

#include <chrono>
#include <functional>

#include "lockstep.hpp"
#include "scenarios/goker/go_idioms.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_70277 {

inline constexpr Duration kForeverTestTimeout = std::chrono::seconds(20);

using WaitFunc = std::function<RecvChan<Empty>(RecvChan<Empty>)>;
using ConditionFunc = std::function<bool()>;  // Go's (done bool, err error): err is always nil

// check_until() is WaitFor's loop: a condition check per value received from `c`.
inline void check_until(RecvChan<Empty> c, const ConditionFunc& fn) {
  for (;;) {
    bool open = c.recv().has_value();
    if (fn()) return;
    if (!open) break;
  }
}

template <bool Fixed>
void wait_for(const WaitFunc& wait, const ConditionFunc& fn, RecvChan<Empty> done) {
  if constexpr (Fixed) {
    Chan<Empty> stop_ch(0);  // the WaitFunc's own channel, closed when WaitFor returns
    goker::CloseOnReturn closer{stop_ch};
    check_until(wait(stop_ch), fn);
  } else {
    check_until(wait(done), fn);  // BUG: the poller runs until the caller's `done` closes
  }
}

inline WaitFunc poller(Duration interval, Duration timeout) {
  return [interval, timeout](RecvChan<Empty> done) -> RecvChan<Empty> {
    Chan<Empty> ch(0);
    go("poller.func1", [ch, done, interval, timeout] {
      Ticker tick(interval);
      Timer timer(timeout);
      bool over = false;
      while (!over) {
        select(on_recv(tick.chan(), [&] { ch.try_send(Empty{}); }),
               on_recv(timer.chan(), [&] { over = true; }),
               on_recv(done, [&] { over = true; }));
      }
      timer.stop();
      tick.stop();
      ch.close();
    });
    return ch;
  };
}

template <bool Fixed>
void kernel() {
  Chan<Empty> stop_ch(0);
  goker::CloseOnReturn closer{stop_ch};
  WaitFunc wait_func = poller(std::chrono::milliseconds(1), kForeverTestTimeout);
  RecvChan<Empty> done_ch;
  wait_for<Fixed>([&](RecvChan<Empty> done) {
             done_ch = done;
             return wait_func(done);
           },
           [] { return true; }, stop_ch);
  done_ch.recv();  // BUG: blocks here; only this function's deferred close would end it (unfixed)
}

inline Scenario scenario() {
  return {"goker/kubernetes/70277", "wait.WaitFor: the test receives from its own stop channel, closed only when it returns",
          {sim::Verdict::deadlock, "main", sim::FiberState::blocked, "chan receive",
           "deadlock: all fibers are blocked and no timer is pending"},
          "goker/kubernetes/70277_fixed", &kernel<false>};
}

inline Scenario fixed_scenario() {
  return {"goker/kubernetes/70277_fixed", "wait.WaitFor fixed: the poller gets a channel WaitFor closes when it returns",
          {}, "goker/kubernetes/70277", &kernel<true>};
}

}  // namespace lockstep::scenarios::goker_k8s_70277
