// eventually(): how real-mode tests wait for a state nothing signals.
#pragma once

#include <chrono>
#include <thread>

namespace lockstep::test {

// eventually() re-checks `done` until it holds, yielding the CPU in between,
// and gives up after 10 s. Nothing signals "a goroutine is now parked", so
// the state is polled, as goleak does; the deadline only bounds a failure.
template <class F>
bool eventually(F done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace lockstep::test
