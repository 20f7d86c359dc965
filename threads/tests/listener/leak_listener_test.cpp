// The leak listener fails a test whose goroutines outlive it, passes one that
// leaves none, and lets a test tagged [lockstep-allow-leaks] leak. ctest runs
// each case in its own process and checks the output (threads/tests/CMakeLists.txt).
#include <catch2/catch.hpp>

#include "lockstep.hpp"

namespace {
// Never sent to: whoever waits on it leaks. Never destroyed either: a leaked
// goroutine may still be on its way into recv() while the process exits and
// runs static destructors.
lockstep::Chan<int>& gate = *new lockstep::Chan<int>(0);
}  // namespace

TEST_CASE("listener: a test that leaks two goroutines fails", "[listener]") {
  for (int i = 0; i < 2; ++i) lockstep::go("leaky-poller", [] { gate.recv(); });
  CHECK(true);
}

TEST_CASE("listener: a test whose goroutines end passes", "[listener]") {
  lockstep::WaitGroup wg;
  wg.go([] {});
  wg.wait();
  CHECK(true);
}

TEST_CASE("listener: a test tagged to allow leaks passes", "[listener][lockstep-allow-leaks]") {
  lockstep::go([] { gate.recv(); });
  CHECK(true);
}
