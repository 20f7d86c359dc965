// Timers: Timer, Ticker, after, after_func — Go's time package, on the
// runtime's clock (virtual in a simulation).
//
//   lockstep::Timer t(5s);
//   lockstep::select(lockstep::on_recv(t.chan(), [&] { timed_out(); }),
//                    lockstep::on_recv(done, [&] { t.stop(); }));
//
//   Timer(d)        fires once, d from now: its channel receives the
//                   scheduled fire time (Go's `when`, not the read time).
//   stop()          true if it stopped a pending timer or dropped a value
//                   that fired but nobody received (Go 1.23+). Afterwards the
//                   channel holds no value, so `if (!t.stop()) t.chan().recv();`
//                   never blocks on a value stop() dropped.
//   reset(d)        re-arms d from now; true if it was pending or a fired value
//                   was dropped, as stop(). Only the new deadline delivers.
//   Ticker(period)  fires every period; a tick nobody took is dropped, as in
//                   Go. stop(), reset(period). Misuse if period <= 0.
//   after(d)        the channel of a fresh Timer (Go's time.After).
//   after_func(d,f) runs f in its own goroutine d from now; returns the Timer
//                   (its channel is nil) so it can be stopped.
//
// A duration <= 0 fires at once. Timers and Tickers are handles: copies
// refer to the same timer. A pending timer keeps itself alive: dropping every
// handle does not stop it (an after_func still runs, a Ticker keeps ticking
// until the simulation ends), so stop() what you no longer need.
// Differences from Go, on purpose: the channel has capacity 1 (Go 1.23 reports
// 0) — it holds the one value that fired and nobody took yet, and stop/reset
// empty it; timers are in the heap from creation (Go adds a channel timer
// lazily, when someone waits on it), so an unread timer still lets virtual
// time advance to it.
//
// On real threads timers run on the steady clock, fired by one timer thread;
// stop() and reset() may race with a firing timer and wait for it to finish.
#pragma once

#include <memory>

#include "primitives/chan.hpp"
#include "runtime/clock.hpp"
#include "runtime/seam.hpp"
#include "runtime/unique_function.hpp"

namespace lockstep {

namespace detail {
struct TimerState;
}

class Timer {
 public:
  explicit Timer(Duration timeout, SourceLocation where = SourceLocation::current());

  // chan() receives the fire time; nil for an after_func timer.
  RecvChan<TimePoint> chan() const;
  bool stop(SourceLocation where = SourceLocation::current()) const;
  bool reset(Duration timeout, SourceLocation where = SourceLocation::current()) const;

 private:
  friend Timer after_func(Duration, detail::UniqueFunction<void()>, SourceLocation);
  explicit Timer(std::shared_ptr<detail::TimerState> s) : state_(std::move(s)) {}
  std::shared_ptr<detail::TimerState> state_;
};

class Ticker {
 public:
  explicit Ticker(Duration period, SourceLocation where = SourceLocation::current());

  RecvChan<TimePoint> chan() const;
  void stop(SourceLocation where = SourceLocation::current()) const;
  // reset() changes the period and restarts it from now. Misuse if <= 0.
  void reset(Duration period, SourceLocation where = SourceLocation::current()) const;

 private:
  std::shared_ptr<detail::TimerState> state_;
};

// after() is the channel of a new Timer(timeout).
RecvChan<TimePoint> after(Duration timeout, SourceLocation where = SourceLocation::current());

// after_func() runs `f` in a new goroutine once `timeout` has passed.
Timer after_func(Duration timeout, detail::UniqueFunction<void()> f,
                 SourceLocation where = SourceLocation::current());

}  // namespace lockstep
