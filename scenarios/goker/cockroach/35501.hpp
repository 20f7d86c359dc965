// GoKer cockroach#35501 (non-blocking): goroutines started in a loop read
// the loop variable the loop keeps writing. https://github.com/cockroachdb/cockroach/pull/35501
//
// validateChecks starts one goroutine per check constraint, each closing
// over the loop variable `c` (one variable for the whole loop before Go
// 1.22) and reading c.Name; the loop's next assignment to c races with it.
//
// Verdict: `race` (race-detector build only; elsewhere explore() skips it):
// the second, racing access is a read of c.Name by a "validateCheckInTxn"
// fiber, running, after the write by "runBackfill" that the spawn does not
// order. Without the detector every schedule passes: fibers run one at a
// time, so the plain accesses cannot tear.
// Fixed twin (goker/cockroach/35501_fixed): the fix's per-iteration copy
// (`c := c`): each goroutine gets its own name, copied before it starts.
//
// Port differences from Go:
// - The loop variable that Go's closures share is one heap object here
//   (a shared_ptr<ConstraintToValidate>), assigned plainly on each
//   iteration, and read plainly by the goroutines through a pointer, as
//   in Go: the same unsynchronised write and read of one string.
// - FindCheckByName takes the name by value, so the read of *checkName
//   that Go makes to pass it is a copy of the string here too.
// - The descriptor types (Descriptor, TableDescriptor, the immutable and
//   mutable wrappers) are kept only as far as the goroutines use them: a
//   MutableTableDescriptor built before the loop and shared.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::cockroach35501 {

struct ConstraintToValidate {
  std::string name;
};

struct MutableTableDescriptor {
  void find_check_by_name(std::string /*name*/) const {}
};

inline void validate_check_in_txn(const MutableTableDescriptor& desc, const std::string* check_name) {
  desc.find_check_by_name(*check_name);
}

inline void validate_checks(const std::vector<ConstraintToValidate>& checks, bool fixed) {
  auto desc = std::make_shared<const MutableTableDescriptor>();
  auto c = std::make_shared<ConstraintToValidate>();  // Go's one loop variable
  for (const ConstraintToValidate& check : checks) {
    *c = check;  // a plain write, racing with the reads of earlier goroutines
    if (fixed)
      go("validateCheckInTxn", [desc, name = c->name] { validate_check_in_txn(*desc, &name); });
    else
      go("validateCheckInTxn", [desc, c] { validate_check_in_txn(*desc, &c->name); });  // BUG: shares c
  }
}

inline void run_backfill(bool fixed) {
  std::vector<ConstraintToValidate> checks_to_validate(10, ConstraintToValidate{"nil string"});
  validate_checks(checks_to_validate, fixed);
}

inline void run(bool fixed) {
  WaitGroup wg;
  wg.add(1);
  go("runBackfill", [&wg, fixed] {
    run_backfill(fixed);
    wg.done();
  });
  wg.wait();
}

inline Scenario scenario() {
  return {"goker/cockroach/35501", "goroutines started in a loop read the loop variable the loop keeps writing",
          {sim::Verdict::race, "validateCheckInTxn", sim::FiberState::running, "", "data race"},
          "goker/cockroach/35501_fixed", [] { run(false); }};
}

inline Scenario fixed_scenario() {
  return {"goker/cockroach/35501_fixed", "each goroutine gets its own copy of the check's name",
          {}, "goker/cockroach/35501", [] { run(true); }};
}

}  // namespace lockstep::scenarios::cockroach35501
