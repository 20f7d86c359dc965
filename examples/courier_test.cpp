// Catch2 tests with lockstep's macros (lockstep::testing): the body runs in
// a simulation, once (LOCKSTEP_TEST_CASE) or under many schedules
// (LOCKSTEP_FUZZ_CASE); any verdict but passed fails the test with the
// goroutine dump and the command that replays the run.
//
// The last case is hidden ([.]) because it fails on purpose: a lost update
// that only some schedules show. docs/getting-started.md runs it to show
// what a failure looks like:  ./courier_tests '[.failing]'
#include <lockstep.hpp>
#include <testing/catch.hpp>

#include <optional>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;

namespace {

// eta_or_timeout() is the README's "A taste": the courier's ETA, or nullopt
// if it does not come within `timeout`.
std::optional<int> eta_or_timeout(lockstep::Duration courier_delay, lockstep::Duration timeout) {
  lockstep::Chan<int> eta(1);  // buffered: a courier that comes too late does not leak
  lockstep::go("courier", [eta, courier_delay] {
    lockstep::sleep(courier_delay);
    eta.send(12);
  });
  auto [ctx, cancel] = lockstep::with_timeout(lockstep::background(), timeout);
  std::optional<int> got;
  lockstep::select(lockstep::on_recv(eta, [&](std::optional<int> minutes) { got = minutes; }),
                   lockstep::on_recv(ctx.done(), [] {}));
  cancel();
  return got;
}

}  // namespace

LOCKSTEP_TEST_CASE("courier: the ETA comes before the timeout", "[courier]") {
  auto start = lockstep::Clock::now();
  CHECK(eta_or_timeout(90s, 2min) == 12);
  CHECK(lockstep::Clock::now() - start == 90s);  // virtual time: no real wait
}

// The late courier's send goes into the channel's buffer: it returns, where
// an unbuffered channel would leave it blocked forever (a leak verdict).
LOCKSTEP_TEST_CASE("courier: a late courier times out, and its send does not block", "[courier]") {
  auto start = lockstep::Clock::now();
  CHECK(eta_or_timeout(3min, 2min) == std::nullopt);
  CHECK(lockstep::Clock::now() - start == 2min);
  lockstep::sleep(1min);  // the courier sends at 3min and returns
}

// Whatever the interleaving, the ETA arrives: 200 random schedules.
LOCKSTEP_FUZZ_CASE("courier: every schedule gets the ETA", "[courier]", .schedules = 200) {
  CHECK(eta_or_timeout(90s, 2min) == 12);
}

// Two goroutines increment a counter with a load and a store. Each access is
// a scheduling point, so a schedule that switches between them loses an update.
LOCKSTEP_FUZZ_CASE("counter: two increments make 2", "[.failing]", .schedules = 100) {
  lockstep::Atomic<int> counter{0};
  lockstep::WaitGroup wg;
  for (int i = 0; i < 2; ++i)
    wg.go("incrementer", [&] {
      int seen = counter.load();
      counter.store(seen + 1);
    });
  wg.wait();
  if (counter.load() != 2) throw std::runtime_error("lost update: counter is " + std::to_string(counter.load()));
}
