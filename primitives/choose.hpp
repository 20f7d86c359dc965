// choose: a decision among n alternatives that a simulation controls.
//
//   switch (lockstep::choose(3)) {      // a fake dependency's outcome
//     case 0: return fast();            // FIFO's pick: the healthy path
//     case 1: return slow();
//     default: throw Unavailable();
//   }
//
// choose(n) returns an index in [0, n). In a simulation the strategy makes
// the decision, exactly like the choice between ready select cases: FIFO
// always picks 0, random and PCT explore the others, the run records it and
// a replay token reproduces it. That is why fault injection in a test double
// must use choose() rather than a random generator of its own: a private
// generator's draws are neither explored systematically nor replayed.
// On real threads choose() is a uniformly random pick (thread-local
// generator). choose(1) is 0 and records nothing; choose(0) is misuse.
#pragma once

#include <cstddef>

#include "runtime/seam.hpp"

namespace lockstep {

inline std::size_t choose(std::size_t n, SourceLocation where = SourceLocation::current()) {
  return detail::current_runtime()->choose(n, where);
}

}  // namespace lockstep
