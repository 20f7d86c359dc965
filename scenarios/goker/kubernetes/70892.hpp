// GoKer kubernetes/70892: scheduler workers read and replace the elements of one shared results
// slice.
//
// Upstream: kubernetes/kubernetes PR 70892 (https://github.com/kubernetes/kubernetes/pull/70892),
// the scheduler's PrioritizeNodes with ParallelizeUntil. GoBench: goker/nonblocking/kubernetes/70892.
// Bug: every piece of work loops over all of `results`, reading results[i][0] and assigning
// results[i], with no lock: two workers race on the same elements.
//
// Verdict: `race` (race-detector build only): a "ParallelizeUntil.func1" worker, the second to
// touch results[i].
//
// Port: HostPriorityList is a std::vector<int>, `results` a std::vector of them in main's frame,
// shared by reference; the select with `default` on the nil stop channel of
// context.Background() is `try_recv()` on the context's (nil) done channel; the buffered channel
// of pieces and the WaitGroup are as in Go. No fixed twin: neither the kernel nor its README
// describes the fix.
#pragma once

#include <functional>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/goker/go_idioms.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_70892 {

using HostPriorityList = std::vector<int>;

inline void kernel() {
  std::vector<int> priority_configs{1, 2, 3};
  std::vector<HostPriorityList> results(priority_configs.size(), HostPriorityList(2));
  auto process_node = [&](int) {
    for (std::size_t i = 0; i < priority_configs.size(); ++i)
      if (results[i][0] != 4) results[i] = HostPriorityList{7, 8, 9};  // BUG: unsynchronised
  };
  goker::parallelize_until(background().done(), 2, 2, process_node);
}

inline Scenario scenario() {
  return {"goker/kubernetes/70892", "scheduler: parallel workers read and replace one results slice",
          {sim::Verdict::race, "ParallelizeUntil.func1", sim::FiberState::running, "", "data race"},
          "", &kernel};
}

}  // namespace lockstep::scenarios::goker_k8s_70892
