// Fixed twin of after_in_loop: the wait_for_parcel_ack pattern, one Timer
// created before the loop. Against the same chatty app it times out at
// exactly +30s on every schedule.
#pragma once

#include "lockstep.hpp"
#include "scenarios/mistakes/after_in_loop.hpp"
#include "scenarios/patterns/wait_for_parcel_ack.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

inline void after_in_loop_fixed() { chatty_ack_check(&wait_for_parcel_ack); }

inline Scenario after_in_loop_fixed_scenario() {
  return {"mistakes/after_in_loop_fixed", "one Timer before the loop: the wait ends at +30s",
          {}, "mistakes/after_in_loop", &after_in_loop_fixed};
}

}  // namespace lockstep::scenarios
