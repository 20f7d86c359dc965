// ZoneTable: the zones load once; callers that come during the load wait
// for it (as "sync.Once.Do"), later ones do not wait at all.
#include "scenarios/patterns/zones.hpp"

#include "scenarios/tests/support.hpp"

using namespace std::chrono_literals;
using namespace lockstep;
using namespace lockstep::scenarios;
using lockstep::scenarios::test::since_start;

TEST_CASE("zones: three concurrent first callers, one load, all answered when it ends", "[patterns][zones][explore]") {
  test::passes_everywhere([] {
    ZoneTable zones;  // loading takes 50ms
    WaitGroup callers;
    for (int id = 1; id <= 3; ++id)
      callers.go("caller", [&, id] {
        check(zones.zone_of(Parcel{id, 0}) == 100 + id % 4, "the zone of the parcel's depot");
        check(since_start() == 50ms, "answered when the one load ends");
      });
    callers.wait();
    check(zones.loads() == 1, "loaded once");
    check(zones.zone_of(Parcel{4, 0}) == 100 && since_start() == 50ms, "later callers do not wait");
  });
}
