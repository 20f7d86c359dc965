// InFlight (the active-lookups counter): Atomic updates from many
// goroutines, interleaved by the strategy at every access, never lose the
// peak or the count.
#include "scenarios/patterns/active_lookups.hpp"

#include "scenarios/model.hpp"
#include "scenarios/tests/support.hpp"

using namespace std::chrono_literals;
using namespace lockstep;
using namespace lockstep::scenarios;

TEST_CASE("active_lookups: six overlapping lookups: peak 6, back to 0, on every schedule", "[patterns][active_lookups][explore]") {
  // Every Atomic access is a scheduling point, so random and PCT interleave
  // the increments and the peak updates; a load-then-store peak would lose
  // one on some schedule, the compare-exchange loop never does.
  test::passes_everywhere([] {
    InFlight active;
    WaitGroup lookups;
    for (int i = 0; i < 6; ++i)
      lookups.go("lookup", [&] {
        auto counted = active.enter();
        sleep(10ms);
      });
    lookups.wait();
    check(active.peak() == 6, "the peak of six overlapping lookups");
    check(active.now() == 0, "all finished");
    check(active.total() == 6, "six counted");
  });
}
