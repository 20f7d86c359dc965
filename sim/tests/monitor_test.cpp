// Liveness monitors: a monitor hot past its bound ends the run with the
// liveness verdict at the exact virtual instant the bound passes, not when
// the slow work finally ends; cold in time, the run passes. Each test asserts
// the verdict, the exact message, the virtual end time and the dump.
#include <catch2/catch.hpp>

#include <optional>
#include <thread>

#include "sim/tests/support.hpp"

using namespace std::chrono_literals;
namespace sim = lockstep::sim;

namespace {

std::string here(int line) { return fmt::format("sim/tests/monitor_test.cpp:{}", line); }

// answer_after() is a request accepted at +1s and answered `delay` later by a
// handler fiber, under a 2s monitor; main waits for the answer.
sim::Report answer_after(lockstep::Duration delay, int* recv_line = nullptr, int* spawn_line = nullptr,
                         int* run_line = nullptr) {
  if (run_line != nullptr) *run_line = __LINE__ + 1;
  return sim::run([=] {
    lockstep::sleep(1s);
    sim::Monitor answered("requests answered", 2s);
    answered.hot();
    lockstep::Chan<int> reply(0);
    if (spawn_line != nullptr) *spawn_line = __LINE__ + 1;
    lockstep::go("handler", [=] {
      lockstep::sleep(delay);
      reply.send(42);
    });
    if (recv_line != nullptr) *recv_line = __LINE__ + 1;
    reply.recv();
    answered.cold();
  });
}

}  // namespace

TEST_CASE("monitor: an answer 40s late ends the run when the 2s bound passes, not at the answer",
          "[monitor][liveness]") {
  int recv_line = 0, spawn_line = 0, run_line = 0;
  sim::Report r = answer_after(40s, &recv_line, &spawn_line, &run_line);
  CHECK(r.verdict == sim::Verdict::liveness);
  CHECK(r.message == "liveness: monitor \"requests answered\" hot for 2s since +1s (bound 2s)");
  CHECK(r.elapsed() == 3s);
  CHECK(r.replay_token == "lockstep1:fifo:seed=0");
  CHECK(r.graph.empty());  // built for deadlocks and leaks only
  CHECK(r.dump() ==
        "goroutine dump at +3s (2000-01-01T00:00:03Z): 2 fibers in 2 groups\n"
        "1 fiber blocked [chan receive] at " + here(recv_line) + ", spawned at " + here(run_line) + "\n"
        "  fiber 1 \"main\" on chan<int> #1 cap=0 len=0 since +1s\n"
        "1 fiber blocked [sleep] at " + here(spawn_line + 1) + ", spawned at " + here(spawn_line) + "\n"
        "  fiber 2 \"handler\" since +1s\n");
}

TEST_CASE("monitor: an answer before the bound passes, and the run goes on to its end",
          "[monitor][liveness]") {
  sim::Report r = answer_after(2s - 1ns);
  CHECK(r.verdict == sim::Verdict::passed);
  CHECK(r.elapsed() == 3s - 1ns);
}

// The monitor's timer fires before any fiber runs at that instant, even a
// fiber whose own timer (created earlier) fires at the same instant.
TEST_CASE("monitor: an answer exactly at the bound is late", "[monitor][liveness]") {
  sim::Report r = answer_after(2s);
  CHECK(r.verdict == sim::Verdict::liveness);
  CHECK(r.elapsed() == 3s);
  auto late = sim::run([] {
    lockstep::Chan<int> reply(0);
    lockstep::go("handler", [=] {
      lockstep::sleep(2s);  // its timer is older than the monitor's
      reply.send(1);
    });
    lockstep::sim::wait();
    sim::Monitor answered("answered", 2s);
    answered.hot();
    reply.recv();
    answered.cold();
  });
  CHECK(late.verdict == sim::Verdict::liveness);
  CHECK(late.message == "liveness: monitor \"answered\" hot for 2s since +0s (bound 2s)");
  CHECK(late.elapsed() == 2s);
}

TEST_CASE("monitor: hot while hot keeps the first instant, cold then hot starts a new period",
          "[monitor][liveness]") {
  auto again = sim::run([] {
    sim::Monitor drained("queue drained", 1min);
    drained.hot();
    lockstep::sleep(30s);
    drained.hot();  // still the period that began at +0s
    lockstep::sleep(40s);
  });
  CHECK(again.message == "liveness: monitor \"queue drained\" hot for 1m0s since +0s (bound 1m0s)");
  CHECK(again.elapsed() == 1min);
  auto periods = sim::run([] {
    sim::Monitor drained("queue drained", 1min);
    for (int i = 0; i < 3; ++i) {
      drained.hot();
      CHECK(drained.hot_since() == lockstep::kSimulationEpoch + i * 59s);
      lockstep::sleep(59s);
      drained.cold();
    }
  });
  CHECK(periods.verdict == sim::Verdict::passed);
  CHECK(periods.elapsed() == 3 * 59s);
}

TEST_CASE("monitor: destroying a hot monitor stops its clock", "[monitor][liveness]") {
  auto r = sim::run([] {
    {
      sim::Monitor abandoned("abandoned", 1s);
      abandoned.hot();
    }
    lockstep::sleep(5s);
  });
  CHECK(r.verdict == sim::Verdict::passed);
  CHECK(r.elapsed() == 5s);
}

// Under random schedules the verdict comes at the same virtual instant on
// every schedule: the bound is time, not interleaving.
TEST_CASE("monitor: checked on every schedule of a random exploration", "[monitor][liveness]") {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    sim::Options o;
    o.strategy = sim::Strategy::random();
    o.seed = seed;
    auto r = sim::run(
        [] {
          sim::Monitor answered("all answered", 2s);
          answered.hot();
          lockstep::WaitGroup wg;
          for (int i = 1; i <= 3; ++i)
            wg.go(fmt::format("worker-{}", i), [i] { lockstep::sleep(i * 1s); });
          wg.wait();
          answered.cold();
        },
        o);
    INFO("seed " << seed);
    CHECK(r.verdict == sim::Verdict::liveness);
    CHECK(r.elapsed() == 2s);
  }
}

TEST_CASE("monitor: a monitor needs a name and a positive bound", "[monitor][misuse]") {
  CHECK_THROWS_WITH(sim::Monitor("", 1s), Catch::Contains("sim::Monitor needs a name (it names the liveness verdict)"));
  CHECK_THROWS_WITH(sim::Monitor("m", 0s), Catch::Contains("sim::Monitor \"m\": the bound must be positive, not 0s"));
  CHECK_THROWS_WITH(sim::Monitor("m", -1s), Catch::Contains("sim::Monitor \"m\": the bound must be positive, not -1s"));
}

TEST_CASE("monitor: outside a simulation hot and cold only record the state", "[monitor]") {
  sim::Monitor m("real mode", 1ns);
  m.hot();
  CHECK(m.is_hot());
  m.cold();
  CHECK_FALSE(m.is_hot());
}

// A monitor whose deadline is pending belongs to that simulation: touching it
// from elsewhere (here a plain thread, outside any simulation) is misuse.
TEST_CASE("monitor: touched outside the simulation that checks it is misuse", "[monitor][misuse]") {
  std::string what;
  auto r = sim::run([&] {
    sim::Monitor m("owned", 1s);
    m.hot();
    std::thread([&] {
      try {
        m.cold();
      } catch (const lockstep::Misuse& e) {
        what = e.what();
      }
    }).join();
    CHECK(m.is_hot());
    m.cold();
  });
  CHECK(r.passed());
  CHECK_THAT(what, Catch::Contains("sim::Monitor \"owned\" used outside the simulation that checks it"));
}
