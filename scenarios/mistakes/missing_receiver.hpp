// Mistake: a missing receiver.
//
// Three route planners send their routes on an unbuffered channel, and main
// waits for the planners to finish *before* it starts receiving. Nobody
// receives, so the planners never finish and main never stops waiting.
//
// Caught by: the `deadlock` verdict on every schedule, at +30ms (the last
// planner's work):
//   1 fiber blocked [sync.WaitGroup.Wait] ... fiber 1 "main"
//   3 fibers blocked [chan send] ... fiber 2 "route-planner" ...
// Fixed twin: missing_receiver_fixed.hpp (a closer goroutine waits; main receives).
#pragma once

#include <chrono>

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

inline void missing_receiver() {
  Chan<Route> routes(0);
  WaitGroup planners;
  for (int i = 1; i <= 3; ++i)
    planners.go("route-planner", [routes, i] {
      sleep(std::chrono::milliseconds(10) * i);
      routes.send(Route{i, 100 + i, std::chrono::minutes(10)});
    });
  planners.wait();  // BUG: waits for senders that wait for this very receiver
  while (routes.try_recv()) {
  }
}

inline Scenario missing_receiver_scenario() {
  return {"mistakes/missing_receiver", "senders on an unbuffered channel nobody receives from yet",
          {sim::Verdict::deadlock, "route-planner", sim::FiberState::blocked, "chan send", "deadlock"},
          "mistakes/missing_receiver_fixed", &missing_receiver};
}

}  // namespace lockstep::scenarios
