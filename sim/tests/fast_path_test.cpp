// The scheduling points' fast path (FIFO, no event log; docs/simulation.md,
// "What a switch costs") against the full path. An event log turns the fast
// path off and changes nothing else, so one program run with and without a
// trace must end in the same report: the same steps, switches, decisions,
// livelock budget and dump. Its figures are pinned exactly as well, so a
// fast path that counted differently from the full one in both runs would
// fail too.
#include <catch2/catch.hpp>

#include "sim/tests/support.hpp"

using namespace std::chrono_literals;
namespace sim = lockstep::sim;

namespace {

std::string here(int line) { return fmt::format("sim/tests/fast_path_test.cpp:{}", line); }

int run_line = 0, spin_line = 0, main_spin_line = 0, spawn_spin_line = 0;

// Ten values through an unbuffered channel, each followed by a yield on both
// sides; then virtual time moves and main and a spinner yield in turns until
// the livelock budget of 200 steps runs out.
sim::Report yield_and_spin(bool logged) {
  sim::Options o;
  o.livelock_steps = 200;
  if (logged) o.trace_path = "/dev/null";
  run_line = __LINE__ + 1;
  return sim::run(
      [] {
        lockstep::Chan<int> ch(0);
        lockstep::go("echo", [ch] {
          for (int v : ch) {
            (void)v;
            lockstep::yield();
          }
        });
        for (int i = 0; i < 10; ++i) {
          ch.send(i);
          lockstep::yield();
        }
        ch.close();
        lockstep::sleep(1s);
        spawn_spin_line = __LINE__ + 1;
        lockstep::go("spinner", [] {
          for (;;) {
            spin_line = __LINE__ + 1;
            lockstep::yield();
          }
        });
        for (;;) {
          main_spin_line = __LINE__ + 1;
          lockstep::yield();
        }
      },
      o);
}

}  // namespace

TEST_CASE("fast path: a run counts and decides the same with and without an event log",
          "[fiber][fast_path]") {
  sim::Report fast = yield_and_spin(false);
  sim::Report logged = yield_and_spin(true);
  CHECK(fast.verdict == sim::Verdict::livelock);
  CHECK(fast.message == "livelock: 200 scheduling steps without virtual time moving");
  CHECK(fast.elapsed() == 1s);
  // 55 steps until time moves, then the budget's 200, and the 201st is the
  // verdict's: the spinner's yield, main having yielded to it.
  CHECK(fast.steps == 256);
  CHECK(fast.switches == 232);
  CHECK(fast.decision_count == 232);
  CHECK(fast.dump() ==
        "goroutine dump at +1s (2000-01-01T00:00:01Z): 2 fibers in 2 groups\n"
        "1 fiber runnable, last scheduling point at " + here(main_spin_line) + ", spawned at " +
            here(run_line) + "\n"
        "  fiber 1 \"main\"\n"
        "1 fiber running, last scheduling point at " + here(spin_line) + ", spawned at " +
            here(spawn_spin_line) + "\n"
        "  fiber 3 \"spinner\"\n");
  CHECK(logged.verdict == fast.verdict);
  CHECK(logged.message == fast.message);
  CHECK(logged.elapsed() == fast.elapsed());
  CHECK(logged.steps == fast.steps);
  CHECK(logged.switches == fast.switches);
  CHECK(logged.decision_count == fast.decision_count);
  CHECK(logged.dump() == fast.dump());
}
