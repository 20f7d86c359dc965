// Fixed twin of unbounded_fanout: the same fan-out through an ErrGroup with
// set_limit(8). go() blocks while 8 lookups run, so the batch size changes
// how long it takes, never how many run at once. Passes on every schedule.
#pragma once

#include "lockstep.hpp"
#include "scenarios/mistakes/unbounded_fanout.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

inline void unbounded_fanout_fixed() { check_fan_out(fan_out(kFanoutBatch, true)); }

inline Scenario unbounded_fanout_fixed_scenario() {
  return {"mistakes/unbounded_fanout_fixed", "an ErrGroup limit keeps 8 lookups in flight at most",
          {}, "mistakes/unbounded_fanout", &unbounded_fanout_fixed};
}

}  // namespace lockstep::scenarios
