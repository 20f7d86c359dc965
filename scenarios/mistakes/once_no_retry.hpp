// Mistake: a Once whose initializer fails is never retried.
//
// Zones are loaded through a Once on first use. The zone service is still
// starting at +0s and the first load fails; the Once counts as done anyway
// (as in Go: Do runs f once, whatever happens), so a request at +2s, when the
// service is up, still finds no zones.
//
// Caught by: the `exception` verdict from the scenario's checker, in main,
// on every schedule:
//   invariant broken: zones are loaded once the zone service is up
//   (request at +2s found none)
// Fixed twin: once_no_retry_fixed.hpp (mark loaded only on success).
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <map>

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

// zone_service_load() is the zone service: it takes 50 ms and fails until +1s.
[[nodiscard]] inline Error zone_service_load(std::map<int, int>& zones) {
  sleep(std::chrono::milliseconds(50));
  if (Clock::now() < kSimulationEpoch + std::chrono::seconds(1)) return make_error("zone service starting");
  for (int depot = 0; depot < 4; ++depot) zones[depot] = 100 + depot;
  return nullptr;
}

// two_requests() asks for zones at +0s and at +2s through `get`, which
// returns whether zones were available, and checks the second one got them.
template <class Get>
void two_requests(Get get) {
  (void)get();  // the service is starting: this one may fail
  sleep_until(kSimulationEpoch + std::chrono::seconds(2));
  check(get(), "zones are loaded once the zone service is up (request at +2s found none)");
}

inline void once_no_retry() {
  Once once;
  std::map<int, int> zones;
  two_requests([&] {
    once.call([&] { (void)zone_service_load(zones); });  // BUG: the failure is final
    return !zones.empty();
  });
}

inline Scenario once_no_retry_scenario() {
  return {"mistakes/once_no_retry", "a Once whose failed load is never retried",
          {sim::Verdict::exception, "main", sim::FiberState::running, "", "zones are loaded once the zone service is up"},
          "mistakes/once_no_retry_fixed", &once_no_retry};
}

}  // namespace lockstep::scenarios
