// The GoKer kernels of etcd (GoBench's goker/blocking/etcd and goker/nonblocking/etcd).
#include "scenarios/goker/goker.hpp"

namespace lockstep::scenarios {

std::vector<Scenario> goker_etcd() { return {}; }

}  // namespace lockstep::scenarios
