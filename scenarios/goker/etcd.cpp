// The GoKer kernels of etcd (GoBench's goker/blocking/etcd and goker/nonblocking/etcd).
#include "scenarios/goker/etcd/10492.hpp"
#include "scenarios/goker/etcd/3077.hpp"
#include "scenarios/goker/etcd/4876.hpp"
#include "scenarios/goker/etcd/5509.hpp"
#include "scenarios/goker/etcd/6708.hpp"
#include "scenarios/goker/etcd/6857.hpp"
#include "scenarios/goker/etcd/6873.hpp"
#include "scenarios/goker/etcd/7443.hpp"
#include "scenarios/goker/etcd/7492.hpp"
#include "scenarios/goker/etcd/7902.hpp"
#include "scenarios/goker/etcd/8194.hpp"
#include "scenarios/goker/etcd/9446.hpp"
#include "scenarios/goker/goker.hpp"

namespace lockstep::scenarios {

// By issue number, each buggy kernel followed by its fixed twin, blocking
// and non-blocking kernels together.
std::vector<Scenario> goker_etcd() {
  return {goker_etcd3077(),        goker_etcd4876(),        goker_etcd5509(), goker_etcd5509_fixed(),
          goker_etcd6708(),        goker_etcd6857(),        goker_etcd6857_fixed(),
          goker_etcd6873(),        goker_etcd6873_fixed(),  goker_etcd7443(),
          goker_etcd7492(),        goker_etcd7492_fixed(),  goker_etcd7902(),
          goker_etcd8194(),        goker_etcd9446(),        goker_etcd10492(), goker_etcd10492_fixed()};
}

}  // namespace lockstep::scenarios
