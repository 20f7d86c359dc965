// build_assignment: both loads run at once, the route is planned after both,
// the first error cancels the other load, errors say what failed. Virtual
// times are exact: a lookup takes 20ms, a slow one 2s, planning 5ms.
#include "scenarios/patterns/build_assignment.hpp"

#include "scenarios/pattern_checks.hpp"
#include "scenarios/tests/support.hpp"

using namespace std::chrono_literals;
using namespace lockstep;
using namespace lockstep::scenarios;

TEST_CASE("build_assignment: loads courier and parcel concurrently, then plans the route", "[patterns][build_assignment]") {
  // Proves the loads overlap (20ms, not 40ms) and planning follows (25ms).
  auto r = test::run_fifo([] {
    LookupStore store;
    auto a = build_assignment(background(), store, 7, 9);
    REQUIRE(a.ok());
    CHECK(*a.value == Assignment{Courier{7, 3}, Parcel{9, 1}, Route{7, 9, 30min}});
    CHECK(since_start() == 25ms);
    CHECK(store.active().peak() == 2);
  });
  CHECK(r.verdict == sim::Verdict::passed);
}

TEST_CASE("build_assignment: the first error cancels the other load and is wrapped with what failed", "[patterns][build_assignment]") {
  // Courier -1 is unknown (fails at 20ms); parcel 1009 is slow (2s). The
  // failure cancels the parcel's load: everything ends at 20ms, no route.
  auto r = test::run_fifo([] {
    LookupStore store;
    auto a = build_assignment(background(), store, -1, 1009);
    REQUIRE_FALSE(a.ok());
    CHECK(error_message(a.err) ==
          "build assignment for courier -1 and parcel 1009: load courier -1: courier -1 not found");
    CHECK(since_start() == 20ms);
    CHECK(store.active().now() == 0);
  });
  CHECK(r.verdict == sim::Verdict::passed);
}

TEST_CASE("build_assignment: the caller's deadline comes back unwrapped", "[patterns][build_assignment]") {
  // A slow courier (2s) under a 1s deadline: deadline exceeded at exactly 1s,
  // as is, so the service can tell a timeout from a failure.
  auto r = test::run_fifo([] {
    LookupStore store;
    auto [ctx, cancel] = with_timeout(background(), 1s);
    auto a = build_assignment(ctx, store, 1007, 9);
    cancel();
    CHECK(is_deadline_exceeded(a.err));
    CHECK(since_start() == 1s);
  });
  CHECK(r.verdict == sim::Verdict::passed);
}

TEST_CASE("build_assignment: with drawn faults, every schedule ends in an assignment or a wrapped error", "[patterns][build_assignment][explore]") {
  // The store draws healthy, slow or failing lookups from the schedule; on
  // every one of 200 schedules the result is consistent and on time.
  test::passes_everywhere(&check_build_assignment);
}
