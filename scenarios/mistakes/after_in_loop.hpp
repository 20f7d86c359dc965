// Mistake: after() created in every loop iteration.
//
// wait_for_parcel_ack's job is to give up 30 s after it started. This
// version writes the timeout as `case <-time.After(30s)` inside its loop, so
// every unrelated ack (the courier's app acks other parcels every 10 s, for
// two minutes) restarts the 30 s: the wait ends 30 s after the *last*
// unrelated ack, at +2m30s, instead of at +30s. (Every iteration also leaves
// a pending timer behind.)
//
// lockstep timers follow Go 1.23+: stop() and reset() empty the channel, so
// the other classic timer bug, a stale value left by a reset without a drain,
// cannot happen with a lockstep Timer; this is the timer mistake that can.
//
// Caught by: the `exception` verdict from the scenario's checker, in main, on
// every schedule:
//   invariant broken: the wait for parcel 1's ack ends by its 30s deadline
//   (it ended after 2m30s)
// Fixed twin: after_in_loop_fixed.hpp (the wait_for_parcel_ack pattern).
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <functional>

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/patterns/stream_scans.hpp"
#include "scenarios/patterns/wait_for_parcel_ack.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/sleep_ctx.hpp"

namespace lockstep::scenarios {

using AckWait = std::function<AckOutcome(const Context&, RecvChan<Ack>, int, Duration)>;

// chatty_ack_check() runs `wait` against an app that acks parcel 2 every 10 s
// for two minutes (never parcel 1) and checks it gave up at +30s.
inline void chatty_ack_check(const AckWait& wait) {
  using namespace std::chrono_literals;
  Chan<Ack> acks(0);
  auto [ctx, cancel] = with_cancel(background());
  WaitGroup app;
  app.go("courier-app", [acks, ctx = ctx] {
    for (int i = 0; i < 12; ++i)
      if (sleep_ctx(ctx, 10s) != nullptr || !send_or_done(ctx, SendChan<Ack>(acks), Ack{2})) return;
  });
  TimePoint start = Clock::now();
  AckOutcome outcome = wait(ctx, acks, 1, 30s);
  Duration took = Clock::now() - start;
  cancel();
  app.wait();
  check(outcome == AckOutcome::timed_out && took == 30s,
        fmt::format("the wait for parcel 1's ack ends by its 30s deadline (it ended, {}, after {})",
                    to_string(outcome), format_duration(took)));
}

inline AckOutcome wait_for_parcel_ack_after_in_loop(const Context& ctx, RecvChan<Ack> acks, int parcel_id,
                                                    Duration timeout) {
  for (;;)
    if (auto outcome = next_ack_event(ctx, acks, parcel_id, after(timeout)))  // BUG: a new timeout each time
      return *outcome;
}

inline void after_in_loop() { chatty_ack_check(&wait_for_parcel_ack_after_in_loop); }

inline Scenario after_in_loop_scenario() {
  return {"mistakes/after_in_loop", "after() in the loop restarts the timeout on every unrelated ack",
          {sim::Verdict::exception, "main", sim::FiberState::running, "", "ends by its 30s deadline"},
          "mistakes/after_in_loop_fixed", &after_in_loop};
}

}  // namespace lockstep::scenarios
