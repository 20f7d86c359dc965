// The determinism self-check (Options::self_check): a schedule run twice must
// give the same event stream. A body that reads state the simulation does not
// own (here a static counter that changes between the two runs) gets the
// nondeterminism verdict naming the first event that differs; a deterministic
// body passes with the report it would have had without the check.
#include <catch2/catch.hpp>

#include "lockstep.hpp"

using namespace std::chrono_literals;
namespace sim = lockstep::sim;

namespace {

sim::Options checked(sim::Strategy s = sim::Strategy::fifo(), std::uint64_t seed = 0) {
  sim::Options o;
  o.strategy = std::move(s);
  o.seed = seed;
  o.self_check = true;
  return o;
}

// Three fibers contend for a mutex and a channel under a random schedule.
void contended() {
  lockstep::Mutex mu;
  lockstep::Chan<int> done(3);
  int total = 0;
  for (int i = 1; i <= 3; ++i)
    lockstep::go("adder", [&, i] {
      for (int k = 0; k < 3; ++k) {
        std::lock_guard lock(mu);
        total += i;
        lockstep::yield();
      }
      done.send(i);
    });
  for (int i = 0; i < 3; ++i) done.recv();
  if (total != 18) throw std::runtime_error("lost update");
}

}  // namespace

TEST_CASE("self-check: a deterministic body passes with its usual report", "[self-check]") {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    auto plain_options = checked(sim::Strategy::random(), seed);
    plain_options.self_check = false;
    auto plain = sim::run([] { contended(); }, plain_options);
    auto twice = sim::run([] { contended(); }, checked(sim::Strategy::random(), seed));
    INFO("seed " << seed << "\n" << sim::to_string(twice));
    REQUIRE(twice.passed());
    CHECK(twice.decisions == plain.decisions);
    CHECK(twice.steps == plain.steps);
    CHECK(twice.switches == plain.switches);
    CHECK(twice.replay_token == plain.replay_token);
  }
}

// The counter makes the second run sleep twice as long: the streams agree
// up to the clock's move, which the message names with both virtual times.
TEST_CASE("self-check: a static counter that changes the clock is nondeterminism", "[self-check]") {
  static int calls = 0;
  calls = 0;
  auto report = sim::run([] { lockstep::sleep(++calls * 1s); }, checked());
  CHECK(calls == 2);
  CHECK(report.verdict == sim::Verdict::nondeterminism);
  CHECK(report.message ==
        "nondeterminism: the same schedule ran differently twice (event digests 0xb3b709196886260f "
        "and 0x2fcb6811ba2967c5); first difference at event 4: first run \"+1s time advances\", "
        "second run \"+2s time advances\"");
  CHECK(sim::to_string(report.verdict) == "nondeterminism");
}

// The counter changes a channel's capacity: both runs deadlock, but on
// objects that describe themselves differently; the first run's verdict is
// kept in the message, and its dump in the report.
TEST_CASE("self-check: a static counter that changes an object is nondeterminism", "[self-check]") {
  static int calls = 0;
  calls = 0;
  auto report = sim::run(
      [] {
        lockstep::Chan<int> ch(static_cast<std::size_t>(calls++));
        ch.recv();
      },
      checked());
  CHECK(report.verdict == sim::Verdict::nondeterminism);
  CHECK(report.message ==
        "nondeterminism: the same schedule ran differently twice (event digests 0xe042f4198a767f48 "
        "and 0x500d291377a3bec3); first difference at event 3: first run \"+0s park fiber 1 [chan receive] on chan<int> #1 "
        "cap=0 len=0\", second run \"+0s park fiber 1 [chan receive] on chan<int> #1 cap=1 len=0\"; "
        "the first run ended: deadlock: all fibers are blocked and no timer is pending");
  REQUIRE(report.fibers.size() == 1);
  CHECK(report.fibers[0].object == "chan<int> #1 cap=0 len=0");
}

// A run that diverges by ending early: the shorter stream has no event there.
TEST_CASE("self-check: a second run with fewer events names the missing one", "[self-check]") {
  static int calls = 0;
  calls = 0;
  auto report = sim::run(
      [] {
        if (calls++ == 0) lockstep::go("extra", [] {});
      },
      checked());
  CHECK(report.verdict == sim::Verdict::nondeterminism);
  CHECK(report.message ==
        "nondeterminism: the same schedule ran differently twice (event digests 0xf289eb58c76360de "
        "and 0xe262f01b6f9920d6); first difference at event 3: first run \"+0s spawn fiber 2 "
        "\"extra\" by fiber 1\", second run \"+0s exit fiber 1\"");
}
