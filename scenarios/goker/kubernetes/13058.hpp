// GoKer kubernetes/13058: an informer's delete handler calls Done() on a WaitGroup the test has
// not Add()ed to yet.
//
// Upstream: kubernetes/kubernetes PR 13058 (https://github.com/kubernetes/kubernetes/pull/13058),
// a framework informer test. GoBench: goker/nonblocking/kubernetes/13058.
// Bug: the test starts the controller before testDoneWG.Add(); the controller's first
// processLoop() runs the delete handler, testDoneWG.Done(), at once: on a schedule where it runs
// first, the counter goes negative (Go: `panic: sync: negative WaitGroup counter`).
//
// Verdict: `misuse` in "Controller.Run": "negative WaitGroup counter".
//
// Port: Until's `time.Sleep(period)` is virtual. After close(stop) the test sleeps one period:
// Go's test returns and Until sees the closed stop channel 10 ms later, but the simulation
// stops its clock when main returns, so Until would be caught asleep (a leak). The test
// goroutines are named "test" (Go: TestKubernetes13058.func2); the `tests` table's one function
// does nothing, as in Go. No fixed twin: neither the kernel nor its README describes the fix.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/goker/go_idioms.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_13058 {

inline constexpr Duration kPeriod = std::chrono::milliseconds(10);

inline void until(const std::function<void()>& f, Duration period, RecvChan<Empty> stop_ch) {
  for (;;) {
    if (goker::closed(stop_ch)) return;
    f();
    sleep(period);
  }
}

struct Controller {
  std::function<void()> process;  // the informer's Process: the handler's OnDelete
  void run(RecvChan<Empty> stop_ch) { until([this] { process(); }, kPeriod, stop_ch); }
};

inline void kernel() {
  auto test_done_wg = std::make_shared<WaitGroup>();
  auto controller = std::make_shared<Controller>();
  controller->process = [test_done_wg] { test_done_wg->done(); };  // DeleteFunc
  Chan<Empty> stop(0);
  go("Controller.Run", [controller, stop] { controller->run(stop); });

  constexpr int kThreads = 3;
  WaitGroup wg;
  wg.add(kThreads);
  test_done_wg->add(kThreads);  // BUG: after the controller may have called Done()
  for (int i = 0; i < kThreads; ++i)
    go("test", [&wg] { wg.done(); });
  wg.wait();
  test_done_wg->wait();
  stop.close();
  sleep(kPeriod);  // Until's next look at stop (see Port)
}

inline Scenario scenario() {
  return {"goker/kubernetes/13058", "informer test: the handler's Done() can come before the test's Add()",
          {sim::Verdict::misuse, "Controller.Run", sim::FiberState::running, "", "negative WaitGroup counter"},
          "", &kernel};
}

}  // namespace lockstep::scenarios::goker_k8s_13058
