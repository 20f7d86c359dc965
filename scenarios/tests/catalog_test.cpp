// The catalog as a whole: every mistake is caught with its expected verdict
// and its fixed twin passes, under the same exploration, with random and PCT.
// This is the property `lockstep-scenarios run` reports; here it fails a test.
#include <catch2/catch.hpp>

#include "scenarios/catalog.hpp"
#include "scenarios/explore.hpp"

using namespace lockstep::scenarios;
namespace sim = lockstep::sim;

namespace {
// The budget the catalog states: 32 schedules from seed 1.
ExploreConfig budget(sim::Strategy::Kind k) { return ExploreConfig{k, 32, 1, 3, 1000}; }
// The GoKer kernels have budgets of their own (goker_*_test.cpp).
bool ours(const Scenario& s) { return !s.name.starts_with("goker/"); }
}  // namespace

TEST_CASE("catalog: every scenario holds its expectation under random, 32 schedules", "[catalog]") {
  for (const auto& s : catalog()) {
    if (!ours(s)) continue;
    auto e = explore(s, budget(sim::Strategy::Kind::random));
    INFO(render(e, true));
    CHECK(e.held);
  }
}

TEST_CASE("catalog: every scenario holds its expectation under pct, 32 schedules", "[catalog]") {
  for (const auto& s : catalog()) {
    if (!ours(s)) continue;
    auto e = explore(s, budget(sim::Strategy::Kind::pct));
    INFO(render(e, true));
    CHECK(e.held);
  }
}
