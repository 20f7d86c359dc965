// The GoKer kernels of cockroach (GoBench's goker/blocking/cockroach and goker/nonblocking/cockroach).
#include "scenarios/goker/goker.hpp"

namespace lockstep::scenarios {

std::vector<Scenario> goker_cockroach() { return {}; }

}  // namespace lockstep::scenarios
