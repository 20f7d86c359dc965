// racy_counter(): the testing tests' failing program. Two fibers increment a
// counter with a load and a store; each access is a scheduling point, so a
// schedule that switches between them loses an update and the body throws
// (an exception verdict). FIFO never preempts, so it passes.
#pragma once

#include <fmt/format.h>

#include <stdexcept>

#include "lockstep.hpp"

namespace lockstep::testing::tests {

inline void racy_counter() {
  lockstep::Atomic<int> counter{0};
  lockstep::WaitGroup wg;
  wg.add(2);
  for (int i = 0; i < 2; ++i)
    lockstep::go("incrementer", [&] {
      int seen = counter.load();
      counter.store(seen + 1);
      wg.done();
    });
  wg.wait();
  if (counter.load() != 2) throw std::runtime_error(fmt::format("lost update: counter is {}", counter.load()));
}

}  // namespace lockstep::testing::tests
