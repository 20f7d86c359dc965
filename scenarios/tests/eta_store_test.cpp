// EtaStore: readers share the RWMutex; a missing ETA is computed outside the
// lock and the first one stored wins, so concurrent callers agree.
#include <vector>

#include "scenarios/model.hpp"
#include "scenarios/patterns/eta_store.hpp"
#include "scenarios/tests/support.hpp"

using namespace std::chrono_literals;
using namespace lockstep;
using namespace lockstep::scenarios;

TEST_CASE("eta_store: concurrent callers for one route all see the first stored ETA", "[patterns][eta_store][explore]") {
  // Five callers miss at once; each computes (10ms) a different value; on
  // every schedule all five return the same one, and it stays cached.
  test::passes_everywhere([] {
    EtaStore etas;
    Atomic<int> next{10};
    std::vector<Duration> seen(5);
    WaitGroup callers;
    for (int i = 0; i < 5; ++i)
      callers.go("caller", [&, i] {
        seen[i] = etas.get_or_compute(7, 9, [&] {
          sleep(10ms);
          return std::chrono::minutes(next.fetch_add(1));
        });
      });
    callers.wait();
    for (Duration d : seen) check(d == seen[0], "every caller sees the same ETA");
    check(etas.get(7, 9) == seen[0], "the ETA stays cached");
  });
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
