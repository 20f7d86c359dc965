// The goroutine dump: live fibers grouped like a goroutine profile.
//
// Fibers with the same state, wait reason, blocking site and spawn site form
// one group; groups are listed in order of their lowest fiber id, and within a
// group the first kDumpFibersPerGroup fibers are listed one per line:
//
//   goroutine dump at +1h (2000-01-01T01:00:00Z): 3 fibers in 2 groups
//   2 fibers blocked [sleep] at demo.cpp:40, spawned at demo.cpp:30
//     fiber 2 "sleeper" since +0s
//     fiber 3 "sleeper" since +0s
//   1 fiber running, last scheduling point at demo.cpp:52, spawned at demo.cpp:20
//     fiber 4 "spinner"
//
// A fiber's line adds "on <object>" when it waits on an object.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "sim/report.hpp"

namespace lockstep::sim {

inline constexpr std::size_t kDumpFibersPerGroup = 8;

std::string format_dump(const std::vector<FiberSnapshot>& fibers, TimePoint start, TimePoint now);

}  // namespace lockstep::sim
