// Mistake: a counter read without the mutex that guards its writes.
//
// Three couriers each record a delivery in a shared tally under its mutex.
// The handler that reports the tally waits "long enough" with a sleep and
// then reads it without taking the mutex: nothing orders the couriers'
// writes before that read. In Go, `go test -race` reports it; in a
// simulation, fibers run one at a time and the read always sees 3, so only
// the race-detector build (LOCKSTEP_RACE_DETECTOR) can catch it. Elsewhere
// the runner lists it as skipped.
//
// Caught by: the `race` verdict on every schedule, at main's read:
//   race: data race: read by fiber 1 "main" at scenarios/mistakes/unguarded_counter.hpp:...,
//   unordered with an earlier write by fiber 4 "courier-3" at ...
// Fixed twin: unguarded_counter_fixed.hpp (the read takes the mutex).
#pragma once

#include <stdexcept>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

struct DeliveryTally {
  Mutex mu;
  int delivered = 0;  // Guarded by mu.
};

// deliver_all() starts three couriers that each count one delivery.
// The tally lives in main's frame, which outlives them (they finish at +0s,
// main reads at +1s); by reference, so no reference count orders anything.
inline void deliver_all(DeliveryTally& tally) {
  for (const char* name : {"courier-1", "courier-2", "courier-3"})
    go(name, [&tally] {
      tally.mu.lock();
      ++tally.delivered;
      tally.mu.unlock();
    });
}

inline void unguarded_counter() {
  DeliveryTally tally;
  deliver_all(tally);
  sleep(std::chrono::seconds(1));  // "long enough" for the couriers
  int delivered = tally.delivered;  // BUG: read without tally.mu
  if (delivered != 3) throw std::runtime_error("lost deliveries");
}

inline Scenario unguarded_counter_scenario() {
  return {"mistakes/unguarded_counter", "a tally read without its mutex after a sleep (a data race)",
          {sim::Verdict::race, "main", sim::FiberState::running, "", "race: data race"},
          "mistakes/unguarded_counter_fixed", &unguarded_counter};
}

}  // namespace lockstep::scenarios
