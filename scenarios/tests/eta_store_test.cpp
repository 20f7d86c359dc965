// EtaStore: readers share the RWMutex; a missing ETA is computed outside the
// lock and the first one stored wins, so concurrent callers agree.
#include <vector>

#include "scenarios/model.hpp"
#include "scenarios/patterns/eta_store.hpp"
#include "scenarios/pattern_checks.hpp"
#include "scenarios/tests/support.hpp"

using namespace std::chrono_literals;
using namespace lockstep;
using namespace lockstep::scenarios;

TEST_CASE("eta_store: concurrent callers for one route all see the first stored ETA", "[patterns][eta_store][explore]") {
  // Five callers miss at once; each computes (10ms) a different value; on
  // every schedule all five return the same one, and it stays cached.
  test::passes_everywhere(&check_eta_store);
}

TEST_CASE("eta_store: a cached ETA is not computed again", "[patterns][eta_store]") {
  auto r = test::run_fifo([] {
    EtaStore etas;
    CHECK(etas.get(1, 2) == std::nullopt);
    CHECK(etas.get_or_compute(1, 2, [] { return 20min; }) == 20min);
    CHECK(etas.get_or_compute(1, 2, [] { return 99min; }) == 20min);
    CHECK(etas.computations() == 1);
  });
  CHECK(r.verdict == sim::Verdict::passed);
}
