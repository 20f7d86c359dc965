// The GoKer kernels of grpc (GoBench's goker/blocking/grpc and goker/nonblocking/grpc).
#include "scenarios/goker/goker.hpp"
#include "scenarios/goker/grpc/1275.hpp"
#include "scenarios/goker/grpc/1353.hpp"
#include "scenarios/goker/grpc/1424.hpp"
#include "scenarios/goker/grpc/1460.hpp"
#include "scenarios/goker/grpc/1687.hpp"
#include "scenarios/goker/grpc/1748.hpp"
#include "scenarios/goker/grpc/2371.hpp"
#include "scenarios/goker/grpc/3017.hpp"
#include "scenarios/goker/grpc/3090.hpp"
#include "scenarios/goker/grpc/660.hpp"
#include "scenarios/goker/grpc/795.hpp"
#include "scenarios/goker/grpc/862.hpp"

namespace lockstep::scenarios {

// By issue number, each buggy kernel followed by its fixed twin, blocking
// and non-blocking kernels together.
std::vector<Scenario> goker_grpc() {
  return {goker_grpc660(),  goker_grpc660_fixed(),  goker_grpc795(),  goker_grpc795_fixed(),
          goker_grpc862(),  goker_grpc862_fixed(),  goker_grpc1275(), goker_grpc1275_fixed(),
          goker_grpc1353(), goker_grpc1353_fixed(), goker_grpc1424(), goker_grpc1424_fixed(),
          goker_grpc1460(), goker_grpc1460_fixed(), goker_grpc1687(), goker_grpc1748(),
          goker_grpc2371(), goker_grpc3017(),       goker_grpc3017_fixed(), goker_grpc3090()};
}

}  // namespace lockstep::scenarios
