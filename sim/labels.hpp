// Labels: how the text outputs (the wait graph's sentences, the HTML
// report's graph and timeline, the trace export) name a fiber and a blocked
// span, so that one fiber reads the same in each of them.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "sim/event_log.hpp"

namespace lockstep::sim::detail {

// fiber_label() is `fiber 2 "watch"`, or `fiber 5` for a fiber with no name.
inline std::string fiber_label(std::uint64_t id, std::string_view name) {
  return name.empty() ? fmt::format("fiber {}", id) : fmt::format("fiber {} \"{}\"", id, name);
}

// blocked_name() names the span a park opens: its wait reason and object,
// "chan receive on chan<int> #1 cap=0 len=0", or the reason alone when the
// wait has no object ("sleep").
inline std::string blocked_name(const Event& park) {
  return park.text.empty() ? std::string{park.reason} : fmt::format("{} on {}", park.reason, park.text);
}

}  // namespace lockstep::sim::detail
