// Fixed twin of polite_retry: no asking around. Each courier tries to claim
// the parcel with one compare-exchange; exactly one wins, the other moves on
// at once. Passes on every schedule with exactly one pickup.
#pragma once

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

inline void polite_retry_fixed() {
  using namespace std::chrono_literals;
  Atomic<int> claimed_by{0};  // 0: nobody; else the courier's number
  Atomic<int> picked{0};
  WaitGroup both;
  auto courier = [&](int me) {
    sleep(10ms);  // look around, as before
    int nobody = 0;
    if (claimed_by.compare_exchange(nobody, me)) picked.fetch_add(1);
  };
  both.go("courier-a", [&] { courier(1); });
  both.go("courier-b", [&] { courier(2); });
  both.wait();
  check(picked.load() == 1, "exactly one courier picked the parcel up");
}

inline Scenario polite_retry_fixed_scenario() {
  return {.name = "mistakes/polite_retry_fixed",
          .summary = "the couriers claim the parcel with one compare-exchange",
          .twin = "mistakes/polite_retry",
          .body = &polite_retry_fixed,
          .horizon = std::chrono::seconds(10)};
}

}  // namespace lockstep::scenarios
