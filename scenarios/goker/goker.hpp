// GoKer: the kernels of real Go concurrency bugs from GoBench (Yuan et al.,
// CGO 2021, github.com/timmyyuan/gobench), ported to lockstep's primitives.
//
// Each kernel is a scenario named "goker/<project>/<upstream issue>" (its
// fixed twin: the same name with "_fixed"); `lockstep-scenarios run goker/`
// runs them as a group. A kernel keeps the upstream kernel's goroutines,
// channels, locks and timeouts, so the bug is the same bug; every place a
// port differs from Go is written down in the kernel's header.
#pragma once

#include <vector>

#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

// One list per upstream project, each in its own file (goker/<project>.cpp).
std::vector<Scenario> goker_cockroach();
std::vector<Scenario> goker_etcd();
std::vector<Scenario> goker_grpc();
std::vector<Scenario> goker_kubernetes();

// Every kernel, project by project.
std::vector<Scenario> goker_scenarios();

}  // namespace lockstep::scenarios
