// Geocoder: a semaphore keeps at most `limit` calls to the slow dependency
// in flight; callers queue in order; a caller whose context ends while
// queued leaves holding nothing. Each call takes 300ms.
#include <vector>

#include "scenarios/patterns/slow_dependency.hpp"
#include "scenarios/pattern_checks.hpp"
#include "scenarios/tests/support.hpp"

using namespace std::chrono_literals;
using namespace lockstep;
using namespace lockstep::scenarios;

TEST_CASE("geocoder: 10 callers, 3 slots: 3 calls at once, done in four rounds", "[patterns][slow_dependency][explore]") {
  // On every schedule: the peak is exactly the limit and the last call ends
  // at 1.2s (4 rounds of 300ms); every caller got its answer.
  test::passes_everywhere(&check_geocoder);
}

TEST_CASE("geocoder: a caller whose deadline passes while queued gives up holding nothing", "[patterns][slow_dependency]") {
  // One slot, taken by a 300ms call; the second caller's 100ms deadline ends
  // its wait at 100ms; a third caller then gets the slot at 300ms, done at 600ms.
  auto r = test::run_fifo([] {
    Geocoder geo(1);
    WaitGroup callers;
    callers.go("first", [&] { CHECK(geo.travel_time(background(), Courier{1, 1}, Parcel{1, 1}).ok()); });
    callers.go("impatient", [&] {
      auto [ctx, cancel] = with_timeout(background(), 100ms);
      auto eta = geo.travel_time(ctx, Courier{2, 1}, Parcel{2, 1});
      cancel();
      CHECK(is_deadline_exceeded(eta.err));
      CHECK(since_start() == 100ms);
    });
    callers.go("third", [&] {
      sleep(200ms);
      CHECK(geo.travel_time(background(), Courier{3, 1}, Parcel{3, 3}).value == 15min);
      CHECK(since_start() == 600ms);
    });
    callers.wait();
  });
  INFO(sim::to_string(r));
  CHECK(r.verdict == sim::Verdict::passed);
}
