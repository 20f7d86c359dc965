// Fixed twin of unguarded_counter: the handler reads the tally under its
// mutex, so the couriers' unlocks happen before the read (Go's rule: the
// n-th Unlock is synchronized before the (n+1)-th Lock returns). Passes on
// every schedule, in the race-detector build too.
#pragma once

#include <stdexcept>

#include "lockstep.hpp"
#include "scenarios/mistakes/unguarded_counter.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

inline void unguarded_counter_fixed() {
  DeliveryTally tally;
  deliver_all(tally);
  sleep(std::chrono::seconds(1));
  tally.mu.lock();
  int delivered = tally.delivered;
  tally.mu.unlock();
  if (delivered != 3) throw std::runtime_error("lost deliveries");
}

inline Scenario unguarded_counter_fixed_scenario() {
  return {"mistakes/unguarded_counter_fixed", "the tally read under its mutex", {}, "mistakes/unguarded_counter", &unguarded_counter_fixed};
}

}  // namespace lockstep::scenarios
