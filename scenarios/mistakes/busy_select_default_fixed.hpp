// Fixed twin of busy_select_default: the poller blocks in a select on the
// jobs and its context, so virtual time moves and the job arrives at +1s.
// Passes on every schedule, ending at exactly +1s.
#pragma once

#include <chrono>

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

inline void busy_select_default_fixed() {
  Chan<Parcel> jobs(0);
  WaitGroup fibers;
  auto [ctx, cancel] = with_cancel(background());
  bool got = false;
  fibers.go("dispatcher", [jobs] {
    sleep(std::chrono::seconds(1));
    jobs.send(Parcel{1, 1});
  });
  fibers.go("poller", [jobs, &got, ctx = ctx] {
    select(on_recv(jobs, [&] { got = true; }), on_recv(ctx.done()));
  });
  fibers.wait();
  cancel();
  check(got, "the poller got its job");
  check(Clock::now() == kSimulationEpoch + std::chrono::seconds(1), "the job arrived at +1s");
}

inline Scenario busy_select_default_fixed_scenario() {
  return {.name = "mistakes/busy_select_default_fixed",
          .summary = "the poller blocks in select until the job comes",
          .twin = "mistakes/busy_select_default",
          .body = &busy_select_default_fixed,
          .livelock_steps = 10'000};
}

}  // namespace lockstep::scenarios
