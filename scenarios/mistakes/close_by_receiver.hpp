// Mistake: the receiver closes the channel while a sender is still live.
//
// A scanner sends five scans; the receiver only wants two, and "stops the
// stream" by closing the channel itself. The scanner's next send is on a
// closed channel (Go panics: "send on closed channel").
//
// Caught by: the `misuse` verdict on every schedule, the scanner running:
//   misuse in fiber 2 "scanner" (...): lockstep: send on closed channel ...
// (with "(it was closed while the sender waited)" on schedules where the
// scanner was already parked in its send).
// Fixed twin: close_by_receiver_fixed.hpp (the receiver cancels, the sender closes).
#pragma once

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

inline void close_by_receiver() {
  Chan<Scan> scans(0);
  go("scanner", [scans] {
    for (int id = 1; id <= 5; ++id) scans.send(Scan{id, 1});
    scans.close();
  });
  for (int i = 0; i < 2; ++i) scans.recv();
  scans.close();  // BUG: only the sender may close
  sleep(std::chrono::seconds(1));
}

inline Scenario close_by_receiver_scenario() {
  return {"mistakes/close_by_receiver", "the receiver closes the channel while the sender is live",
          {sim::Verdict::misuse, "scanner", sim::FiberState::running, "", "send on closed channel"},
          "mistakes/close_by_receiver_fixed", &close_by_receiver};
}

}  // namespace lockstep::scenarios
