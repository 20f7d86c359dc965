// decide(): a fault or latency drawn from the simulation's own decisions.
//
//   switch (lockstep::scenarios::decide(3)) {   // 0 = the healthy outcome
//     case 0: return fast();
//     case 1: return slow();
//     default: throw Unavailable();
//   }
//
// The fake dependencies of the scenarios (the LookupStore) must not use a
// private random generator: a fault drawn from one would not be recorded, so
// neither replay tokens nor fuzzing would see it. decide(n) is
// lockstep::choose(n), which a simulation records and replays like any
// scheduling decision. Index 0 is what FIFO picks, so under the default
// strategy every dependency is healthy and fast; random and PCT explore the
// other outcomes.
//
// Outside a simulation (courier-dispatch on real threads), choose() is the
// thread runtime's per-thread xorshift generator: the faults are random and
// not reproducible (real mode records and explores nothing), which is what a
// synthetic load against the fake store wants.
#pragma once

#include <cstddef>

#include "lockstep.hpp"

namespace lockstep::scenarios {

inline std::size_t decide(std::size_t n, SourceLocation where = SourceLocation::current()) {
  return n <= 1 ? 0 : lockstep::choose(n, where);
}

}  // namespace lockstep::scenarios
