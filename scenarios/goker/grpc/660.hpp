// GoKer grpc/660: the benchmark client's loop returns on stop without
// draining the done channel its last worker is about to send on.
//
// Upstream: grpc/grpc-go pull request 660,
// https://github.com/grpc/grpc-go/pull/660 (GoBench goker/blocking/grpc/660,
// communication deadlock, channel).
//
// doCloseLoopUnary() starts a worker per round that sends its result on an
// unbuffered `done`, and selects between `done` and `stop`. When `stop` wins
// the loop returns and the round's worker blocks for ever on its send. The
// test only starts the loop and the stopper and returns.
//
// Verdict: leak once main has returned: "doCloseLoopUnary.func1" blocked
// [chan send]. FIFO finds it: the stopper is already waiting when the loop
// starts its second round.
//
// PCT and the loop: it starts a worker per round for as long as it does
// not see `stop`. With strict priorities to the end of the run, a stopper
// ranked below the loop and every worker never ran (a livelock on PCT
// schedule 21 of seed 1 for this kernel, 22 for its twin); PCT is now fair
// past its step bound, so the stopper runs.
//
// Port differences from Go:
// - rand.Intn(10) is lockstep::choose(10): a decision of the schedule,
//   recorded and replayed (both outcomes send on done; the kernel keeps the
//   draw, so does the port).
// - Goroutines: "doCloseLoopUnary" (the loop), "doCloseLoopUnary.func1"
//   (the workers), "TestGrpc660.func1" (the stopper).
//
// Fixed twin (goker/grpc/660_fixed): `done` has a buffer of one, so a
// worker's send completes whether or not the loop still listens. It passes
// on every schedule.
#pragma once

#include <chrono>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::grpc660 {

struct BenchmarkClient {
  Chan<bool> stop{0};

  void do_close_loop_unary(bool fixed) const {
    for (bool stopped = false; !stopped;) {
      Chan<bool> done(fixed ? 1 : 0);
      go("doCloseLoopUnary.func1", [done] {
        if (choose(10) > 7) {
          done.send(false);
          return;
        }
        done.send(true);  // blocks for ever once the loop returned
      });
      select(on_recv(stop, [&] { stopped = true; }), on_recv(done));
    }
  }
};

inline void run(bool fixed) {
  auto bc = std::make_shared<BenchmarkClient>();
  go("doCloseLoopUnary", [bc, fixed] { bc->do_close_loop_unary(fixed); });
  go("TestGrpc660.func1", [bc] { bc->stop.send(true); });
}

}  // namespace lockstep::scenarios::goker::grpc660

namespace lockstep::scenarios {

inline Scenario goker_grpc660() {
  return {"goker/grpc/660", "grpc#660: the loop returns on stop, its last worker blocks sending its result",
          {sim::Verdict::leak, "doCloseLoopUnary.func1", sim::FiberState::blocked, "chan send",
           "leak: main returned"},
          "goker/grpc/660_fixed", [] { goker::grpc660::run(false); }};
}

inline Scenario goker_grpc660_fixed() {
  return {"goker/grpc/660_fixed", "grpc#660 fixed: a buffered done channel never blocks the worker", {},
          "goker/grpc/660", [] { goker::grpc660::run(true); }};
}

}  // namespace lockstep::scenarios
