// Fixed twin of once_no_retry: a mutex and a `loaded` flag set only on
// success, so a failed load is retried by the next caller (Go: the
// mutex-and-flag idiom, since sync.Once cannot retry). Callers that come
// while a load runs wait on the mutex. Passes on every schedule.
#pragma once

#include <map>

#include "lockstep.hpp"
#include "scenarios/mistakes/once_no_retry.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

inline void once_no_retry_fixed() {
  Mutex mu;
  bool loaded = false;  // Guarded by mu.
  std::map<int, int> zones;  // Guarded by mu until loaded.
  two_requests([&] {
    mu.lock();
    if (!loaded) loaded = zone_service_load(zones) == nullptr;
    bool ok = loaded;
    mu.unlock();
    return ok;
  });
}

inline Scenario once_no_retry_fixed_scenario() {
  return {"mistakes/once_no_retry_fixed", "loaded only on success: the next caller retries",
          {}, "mistakes/once_no_retry", &once_no_retry_fixed};
}

}  // namespace lockstep::scenarios
