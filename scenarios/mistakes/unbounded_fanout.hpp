// Mistake: unbounded fan-out.
//
// A batch of parcels is looked up with one goroutine per parcel. With 50
// parcels there are 50 lookups in flight at once (and 51 live goroutines):
// the load on the store grows with the input, with no limit.
//
// Caught by: the `exception` verdict from the scenario's checker, in main,
// on every schedule:
//   invariant broken: at most 8 lookups in flight (peak 50)
// and Report::peak_fibers grows with the batch (11 for 10 parcels, 101 for
// 100: see the test), where the bounded twin stays at its limit.
// Fixed twin: unbounded_fanout_fixed.hpp (an ErrGroup with set_limit(8)).
#pragma once

#include <fmt/format.h>

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/service/lookup_store.hpp"

namespace lockstep::scenarios {

inline constexpr int kLookupLimit = 8;
inline constexpr int kFanoutBatch = 50;

// fan_out() looks up parcels 1..n, one goroutine each (bounded: at most
// kLookupLimit at once), and returns the store's peak of lookups in flight.
inline std::int64_t fan_out(int n, bool bounded) {
  LookupStore store;
  ErrGroup group;
  if (bounded) group.set_limit(kLookupLimit);
  for (int id = 1; id <= n; ++id)
    group.go([&store, id] { (void)store.load_parcel(background(), id); });
  (void)group.wait();  // the lookups return no error (dropped above): wait() only joins them
  return store.active().peak();
}

inline void check_fan_out(std::int64_t peak) {
  check(peak <= kLookupLimit, fmt::format("at most {} lookups in flight (peak {})", kLookupLimit, peak));
}

inline void unbounded_fanout() { check_fan_out(fan_out(kFanoutBatch, false)); }  // BUG: unbounded

inline Scenario unbounded_fanout_scenario() {
  return {"mistakes/unbounded_fanout", "one goroutine per parcel: in-flight lookups grow with the batch",
          {sim::Verdict::exception, "main", sim::FiberState::running, "", "at most 8 lookups in flight"},
          "mistakes/unbounded_fanout_fixed", &unbounded_fanout};
}

}  // namespace lockstep::scenarios
