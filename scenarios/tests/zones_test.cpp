// ZoneTable: the zones load once; callers that come during the load wait
// for it (as "sync.Once.Do"), later ones do not wait at all.
#include "scenarios/patterns/zones.hpp"

#include "scenarios/pattern_checks.hpp"
#include "scenarios/tests/support.hpp"

using namespace std::chrono_literals;
using namespace lockstep;
using namespace lockstep::scenarios;

TEST_CASE("zones: three concurrent first callers, one load, all answered when it ends", "[patterns][zones][explore]") {
  test::passes_everywhere(&check_zones);
}
