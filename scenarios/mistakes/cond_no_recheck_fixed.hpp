// Fixed twin of cond_no_recheck: `while` around Cond::wait. The picker that
// finds the queue empty after the resume waits again, and the close releases
// it. Passes on every schedule with exactly one parcel taken.
#pragma once

#include "lockstep.hpp"
#include "scenarios/mistakes/cond_no_recheck.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

inline void cond_no_recheck_fixed() {
  int taken = pickers_after_resume(true);
  check(taken == 1, "the one parcel was taken once");
}

inline Scenario cond_no_recheck_fixed_scenario() {
  return {"mistakes/cond_no_recheck_fixed", "Cond::wait in a loop: the woken picker re-checks",
          {}, "mistakes/cond_no_recheck", &cond_no_recheck_fixed};
}

}  // namespace lockstep::scenarios
