// reset_timer(): re-arm a timer that may have fired, without a stale value.
// Go's stop-drain-reset idiom (needed before Go 1.23):
//
//   if !t.Stop() { select { case <-t.C: default: } }   // drain what fired
//   t.Reset(d)
//
// lockstep timers follow Go 1.23+: stop() and reset() already empty the
// channel, so the drain never finds a value here; the idiom is kept because
// the same code must stay correct with any timer whose channel may hold a
// value that fired but was never read (see mistakes/stale_timeout).
//
// idle_watch() uses it: a courier is idle once `idle` passes without a ping;
// each ping re-arms the one timer. Returns when the courier went idle (the
// time the timer fired), or nullopt when the pings channel closed first.
#pragma once

#include <optional>

#include "lockstep.hpp"

namespace lockstep::scenarios {

inline void reset_timer(const Timer& t, Duration d) {
  if (!t.stop()) (void)t.chan().try_recv();  // drain a value that fired but was not read
  t.reset(d);
}

struct Ping {
  int courier_id = 0;
};

inline std::optional<TimePoint> idle_watch(RecvChan<Ping> pings, Duration idle) {
  Timer timer(idle);
  for (;;) {
    std::optional<TimePoint> idle_at;
    bool closed = false;
    select(on_recv(pings, [&](std::optional<Ping> p) { closed = !p; }),
           on_recv(timer.chan(), [&](std::optional<TimePoint> t) { idle_at = t; }));
    if (idle_at) return idle_at;
    if (closed) {
      timer.stop();
      return std::nullopt;
    }
    reset_timer(timer, idle);
  }
}

}  // namespace lockstep::scenarios
