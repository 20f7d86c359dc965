// Mistake: select with a default case in a hot loop.
//
// A picker polls for a job with `select { case j := <-jobs: ... default: }`
// in a loop. The job comes after 1 s, but virtual time (like a real CPU for
// everyone else) never gets there: the poller never blocks, so the clock
// cannot move and the dispatcher that would send the job never wakes.
//
// Caught by: the `livelock` verdict on every schedule (the scenario's step
// budget is 10,000), the hot fiber named as the one running:
//   livelock: 10000 scheduling steps without virtual time moving
//   1 fiber running, last scheduling point at scenarios/mistakes/busy_select_default.hpp:...
//     fiber 3 "hot-poller"
// Fixed twin: busy_select_default_fixed.hpp (a blocking select with ctx).
#pragma once

#include <chrono>

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

inline void busy_select_default() {
  Chan<Parcel> jobs(0);
  WaitGroup fibers;
  fibers.go("dispatcher", [jobs] {
    sleep(std::chrono::seconds(1));
    jobs.send(Parcel{1, 1});
  });
  fibers.go("hot-poller", [jobs] {
    for (;;) {
      bool got = false;
      select(on_recv(jobs, [&] { got = true; }), on_default([] {}));  // BUG: spins
      if (got) return;
    }
  });
  fibers.wait();
}

inline Scenario busy_select_default_scenario() {
  return {.name = "mistakes/busy_select_default",
          .summary = "a select-with-default polling loop starves the clock",
          .expect = {sim::Verdict::livelock, "hot-poller", sim::FiberState::running, "",
                     "scheduling steps without virtual time moving"},
          .twin = "mistakes/busy_select_default_fixed",
          .body = &busy_select_default,
          .livelock_steps = 10'000};
}

}  // namespace lockstep::scenarios
