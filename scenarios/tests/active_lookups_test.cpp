// InFlight (the active-lookups counter): Atomic updates from many
// goroutines, interleaved by the strategy at every access, never lose the
// peak or the count.
#include "scenarios/patterns/active_lookups.hpp"

#include "scenarios/model.hpp"
#include "scenarios/pattern_checks.hpp"
#include "scenarios/tests/support.hpp"

using namespace std::chrono_literals;
using namespace lockstep;
using namespace lockstep::scenarios;

TEST_CASE("active_lookups: six overlapping lookups: peak 6, back to 0, on every schedule", "[patterns][active_lookups][explore]") {
  // Every Atomic access is a scheduling point, so random and PCT interleave
  // the increments and the peak updates; a load-then-store peak would lose
  // one on some schedule, the compare-exchange loop never does.
  test::passes_everywhere(&check_active_lookups);
}
