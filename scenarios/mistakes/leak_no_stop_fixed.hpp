// Fixed twin of leak_no_stop: the poller takes a context and stops when it
// is cancelled; the request cancels it and waits for it to end (Go: pass ctx,
// `defer cancel()`, and wg.Wait()). Passes on every schedule, having polled
// exactly three times (at +1s, +2s, +3s).
#pragma once

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/sleep_ctx.hpp"

namespace lockstep::scenarios {

inline void leak_no_stop_fixed() {
  Atomic<int> polls{0};
  WaitGroup poller;
  auto [ctx, cancel] = with_cancel(background());
  poller.go("position-poller", [&polls, ctx = ctx] {
    while (sleep_ctx(ctx, std::chrono::seconds(1)) == nullptr) polls.fetch_add(1);
  });
  sleep(std::chrono::milliseconds(3500));
  cancel();       // stop condition
  poller.wait();  // and the poller has really stopped
  check(polls.load() == 3, "the poller polled 3 times before it was stopped");
}

inline Scenario leak_no_stop_fixed_scenario() {
  return {"mistakes/leak_no_stop_fixed", "the poller stops on its context; the request waits for it",
          {}, "mistakes/leak_no_stop", &leak_no_stop_fixed};
}

}  // namespace lockstep::scenarios
