// A program whose goroutine lets an exception escape: real-thread mode must
// print it with the goroutine's name and spawn site, then abort
// (threads/tests/runtime_test.cpp runs it). With the argument "overflow",
// its goroutine overflows its stack instead: the M:N runtime names it
// (mn/tests/scheduler_test.cpp runs that).
#include <cstring>
#include <stdexcept>
#include <string>

#include "lockstep.hpp"

namespace {
volatile bool forever = true;  // the compiler cannot tell the recursion ends never
[[gnu::noinline]] int deeper(int n) {
  volatile char frame[512];
  frame[0] = static_cast<char>(n);
  if (!forever) return n;
  return deeper(n + 1) + frame[0];  // not a tail call: every frame stays
}
}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "overflow") == 0) {
    lockstep::Chan<int> never(0);
    lockstep::go("deep-recursion", [] { deeper(0); });
    never.recv();
  }
  lockstep::Chan<int> never(0);
  lockstep::go("courier-loader", [] {
    // Throw once main is blocked, so the dump shows it.
    while (lockstep::goroutine_dump().find("\"main\"") == std::string::npos) lockstep::yield();
    throw std::runtime_error("courier 7 not found");
  });
  never.recv();  // main waits; the goroutine's exception ends the process
}
