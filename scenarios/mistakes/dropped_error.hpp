// Mistake: a goroutine's error silently dropped.
//
// Four couriers are loaded concurrently, each by a plain goroutine that
// stores the courier if the lookup worked and otherwise just returns: the
// error goes nowhere. The caller cannot tell "not loaded" from "failed", and
// its accounting (each lookup is loaded or reported failed) is off.
//
// The store's faults are drawn from the simulation's decisions, so FIFO (all
// healthy) passes and the bug shows only on schedules where a lookup fails:
// exploration finds them (random: the first failing lookup is on schedule 1
// with seed 1; see the test).
//
// Caught by: the `exception` verdict from the scenario's checker, in main:
//   exception in fiber 1 "main" (...): invariant broken: every courier lookup
//   ends loaded or with its error reported (3 of 4 accounted for)
// Fixed twin: dropped_error_fixed.hpp (each goroutine reports its error).
#pragma once

#include <fmt/format.h>

#include <array>
#include <optional>

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/service/lookup_store.hpp"

namespace lockstep::scenarios {

inline constexpr std::array<int, 4> kLoadedCouriers{7, 8, 9, 10};

inline void check_accounted(int accounted) {
  check(accounted == static_cast<int>(kLoadedCouriers.size()),
        fmt::format("every courier lookup ends loaded or with its error reported ({} of {} accounted for)",
                    accounted, kLoadedCouriers.size()));
}

inline void dropped_error() {
  LookupStore store(StoreConfig{.faults = true});
  std::array<std::optional<Courier>, kLoadedCouriers.size()> loaded;
  WaitGroup loaders;
  for (std::size_t i = 0; i < kLoadedCouriers.size(); ++i)
    loaders.go("courier-loader", [&, i] {
      auto r = store.load_courier(background(), kLoadedCouriers[i]);
      if (r.ok()) loaded[i] = *r.value;  // BUG: on error, nothing is said
    });
  loaders.wait();
  int accounted = 0;
  for (const auto& c : loaded) accounted += c ? 1 : 0;
  check_accounted(accounted);
}

inline Scenario dropped_error_scenario() {
  return {"mistakes/dropped_error", "loader goroutines drop their lookup errors",
          {sim::Verdict::exception, "main", sim::FiberState::running, "", "every courier lookup ends loaded"},
          "mistakes/dropped_error_fixed", &dropped_error};
}

}  // namespace lockstep::scenarios
