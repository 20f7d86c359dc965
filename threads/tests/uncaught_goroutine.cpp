// A program whose goroutine lets an exception escape: real-thread mode must
// print it with the goroutine's name and spawn site, then abort
// (threads/tests/runtime_test.cpp runs it).
#include <stdexcept>
#include <string>

#include "lockstep.hpp"

int main() {
  lockstep::Chan<int> never(0);
  lockstep::go("courier-loader", [] {
    // Throw once main is blocked, so the dump shows it.
    while (lockstep::goroutine_dump().find("\"main\"") == std::string::npos) lockstep::yield();
    throw std::runtime_error("courier 7 not found");
  });
  never.recv();  // main waits; the goroutine's exception ends the process
}
