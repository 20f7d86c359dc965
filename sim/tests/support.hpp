// Helpers shared by the simulator's tests: blocking through the seam
// directly (the primitives that block forever come with the primitives
// issue), and a recorder of who ran when.
#pragma once

#include <fmt/format.h>

#include <string>
#include <vector>

#include "lockstep.hpp"

namespace lockstep::test {

// A waitable that describes itself, so dumps show an object.
struct Gate : detail::Describes<Gate> {
  std::string label;
  explicit Gate(std::string l) : label(std::move(l)) {}
  std::string describe() const { return label; }
};

// block_forever() parks the calling fiber with nobody to ready it.
inline void block_forever(const Gate* gate = nullptr,
                          SourceLocation where = SourceLocation::current()) {
  detail::current_runtime()->park(detail::WaitSite{"test block", gate, where});
}

// Trace: "<name>@<virtual offset>" events in the order they happened.
struct Trace {
  std::vector<std::string> events;
  void add(const std::string& what) {
    events.push_back(fmt::format("{}@{}", what, format_duration(Clock::now() - kSimulationEpoch)));
  }
};

}  // namespace lockstep::test
