// GoKer kubernetes/81091: a fake filter plugin counts its calls with a plain increment from
// parallel workers.
//
// Upstream: kubernetes/kubernetes PR 81091 (https://github.com/kubernetes/kubernetes/pull/81091),
// the scheduler framework's tests. GoBench: goker/nonblocking/kubernetes/81091.
// Bug: findNodesThatFit() runs the filter plugins from ParallelizeUntil's workers, and the fake
// plugin's Filter() does numFilterCalled++ unguarded: a data race.
//
// Verdict: `race` (race-detector build only): the second "ParallelizeUntil.func1" worker's
// increment.
//
// Port: the Framework and FilterPlugin interfaces become the concrete framework and fake plugin;
// the select with `default` on the nil stop channel is try_recv() on a nil Chan. No fixed twin:
// neither the kernel nor its README describes the fix.
#pragma once

#include <functional>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/goker/go_idioms.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_81091 {

struct FakeFilterPlugin {
  int num_filter_called = 0;
  void filter() { ++num_filter_called; }  // BUG: unguarded
};

struct Framework {
  FakeFilterPlugin plugin;  // filterPlugins: the one fake plugin
  void run_filter_plugins() { plugin.filter(); }
};

inline void kernel() {
  WaitGroup wg;
  wg.add(1);
  go("TestKubernetes81091.func1", [&wg] {
    auto framework = std::make_shared<Framework>();
    RecvChan<Empty> stop;  // nil, as Go's `var stop <-chan struct{}`
    goker::parallelize_until(stop, 2, 2, [&framework](int) { framework->run_filter_plugins(); });  // Schedule()
    wg.done();
  });
  wg.wait();
}

inline Scenario scenario() {
  return {"goker/kubernetes/81091", "scheduler framework: a fake plugin counts calls from parallel workers unguarded",
          {sim::Verdict::race, "ParallelizeUntil.func1", sim::FiberState::running, "", "data race"},
          "", &kernel};
}

}  // namespace lockstep::scenarios::goker_k8s_81091
