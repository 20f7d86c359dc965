// Fixed twin of dropped_error: each loader records its wrapped error next to
// its slot (Go: an error per result, or an errgroup), so every lookup is
// accounted for on every schedule, faults or not.
#pragma once

#include <fmt/format.h>

#include <array>
#include <optional>

#include "lockstep.hpp"
#include "scenarios/mistakes/dropped_error.hpp"
#include "scenarios/model.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/service/lookup_store.hpp"

namespace lockstep::scenarios {

inline void dropped_error_fixed() {
  LookupStore store(StoreConfig{.faults = true});
  std::array<Result<Courier>, kLoadedCouriers.size()> results;
  WaitGroup loaders;
  for (std::size_t i = 0; i < kLoadedCouriers.size(); ++i)
    loaders.go("courier-loader", [&, i] {
      auto r = store.load_courier(background(), kLoadedCouriers[i]);
      if (!r.ok()) r.err = wrap(fmt::format("load courier {}", kLoadedCouriers[i]), r.err);
      results[i] = std::move(r);
    });
  loaders.wait();
  int accounted = 0;
  for (const auto& r : results) accounted += (r.value.has_value() != (r.err != nullptr)) ? 1 : 0;
  check_accounted(accounted);
}

inline Scenario dropped_error_fixed_scenario() {
  return {"mistakes/dropped_error_fixed", "every loader reports its error next to its result",
          {}, "mistakes/dropped_error", &dropped_error_fixed};
}

}  // namespace lockstep::scenarios
