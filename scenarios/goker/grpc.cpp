// The GoKer kernels of grpc (GoBench's goker/blocking/grpc and goker/nonblocking/grpc).
#include "scenarios/goker/goker.hpp"

namespace lockstep::scenarios {

std::vector<Scenario> goker_grpc() { return {}; }

}  // namespace lockstep::scenarios
