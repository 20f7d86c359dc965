#include "scenarios/goker/goker.hpp"

namespace lockstep::scenarios {

std::vector<Scenario> goker_scenarios() {
  std::vector<Scenario> all;
  for (auto project : {goker_cockroach, goker_etcd, goker_grpc, goker_kubernetes})
    for (auto& s : project()) all.push_back(std::move(s));
  return all;
}

}  // namespace lockstep::scenarios
