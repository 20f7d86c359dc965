// Mistake: two workers that keep retrying politely (a livelock).
//
// Two couriers want the same parcel. Each announces its interest, looks
// around (10 ms), and if the other is interested too, politely steps back
// (10 ms later it withdraws, waits 10 ms, and tries again). Both run the same
// code with the same delays, so they announce, look, and withdraw in
// lockstep forever: always busy, never done. Each virtual instant holds only
// one kind of step (all announce, all look, or all withdraw), so the order
// the scheduler picks within an instant changes nothing: every schedule
// livelocks.
//
// Caught by: the `livelock` verdict (the scenario's horizon is 10 s):
//   livelock: virtual time would pass the horizon of 10s (next timer at +10s...)
//   2 fibers blocked [sleep] ... fiber 2 "courier-a", fiber 3 "courier-b"
// Fixed twin: polite_retry_fixed.hpp (claim the parcel atomically instead).
#pragma once

#include <chrono>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

// Each courier's "I want that parcel" flag.
struct PoliteCouriers {
  Atomic<bool> interested[2];
};

inline void polite_retry() {
  using namespace std::chrono_literals;
  auto couriers = std::make_shared<PoliteCouriers>();
  auto picked = std::make_shared<Atomic<int>>(0);
  WaitGroup both;
  auto courier = [couriers, picked](int me) {
    Atomic<bool>& self = couriers->interested[me];
    Atomic<bool>& other = couriers->interested[1 - me];
    for (;;) {
      self.store(true);  // announce
      sleep(10ms);                  // look around
      if (!other.load()) {
        picked->fetch_add(1);
        return;
      }
      sleep(10ms);  // BUG: step back, exactly as politely as the other one
      self.store(false);
      sleep(10ms);
    }
  };
  both.go("courier-a", [courier] { courier(0); });
  both.go("courier-b", [courier] { courier(1); });
  both.wait();
}

inline Scenario polite_retry_scenario() {
  return {.name = "mistakes/polite_retry",
          .summary = "two couriers step back for each other forever",
          .expect = {sim::Verdict::livelock, "courier-a", sim::FiberState::blocked, "sleep", "would pass the horizon"},
          .twin = "mistakes/polite_retry_fixed",
          .body = &polite_retry,
          .horizon = std::chrono::seconds(10)};
}

}  // namespace lockstep::scenarios
