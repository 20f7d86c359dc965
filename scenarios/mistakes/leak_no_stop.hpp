// Mistake: a goroutine with no stop condition.
//
// A request starts a poller that refreshes courier positions every second,
// and returns after 3.5 s. Nothing ever tells the poller to stop: it outlives
// the request, sleeping forever between polls.
//
// Caught by: the `leak` verdict on every schedule. When main returns, time
// stops, and the poller is still parked ("sleep"):
//   leak: main returned but 1 fiber remains blocked
//   1 fiber blocked [sleep] at scenarios/mistakes/leak_no_stop.hpp:...
//     fiber 2 "position-poller" since +3s
// Fixed twin: leak_no_stop_fixed.hpp (the poller stops on its context).
#pragma once

#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

inline void leak_no_stop() {
  // Shared, not a local of main: the poller is still alive when main returns.
  auto polls = std::make_shared<Atomic<int>>(0);
  go("position-poller", [polls] {
    for (;;) {  // BUG: no way out
      sleep(std::chrono::seconds(1));
      polls->fetch_add(1);
    }
  });
  sleep(std::chrono::milliseconds(3500));  // the request's own work
}

inline Scenario leak_no_stop_scenario() {
  return {"mistakes/leak_no_stop", "a poller goroutine with no stop condition outlives its request",
          {sim::Verdict::leak, "position-poller", sim::FiberState::blocked, "sleep", "leak: main returned"},
          "mistakes/leak_no_stop_fixed", &leak_no_stop};
}

}  // namespace lockstep::scenarios
