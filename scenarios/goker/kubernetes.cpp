// The GoKer kernels of kubernetes (GoBench's goker/blocking/kubernetes and goker/nonblocking/kubernetes).
#include "scenarios/goker/goker.hpp"

namespace lockstep::scenarios {

std::vector<Scenario> goker_kubernetes() { return {}; }

}  // namespace lockstep::scenarios
