// The GoKer kernels of kubernetes (GoBench's goker/blocking/kubernetes and
// goker/nonblocking/kubernetes), each kernel followed by its fixed twin, by issue number.
#include "scenarios/goker/goker.hpp"
#include "scenarios/goker/kubernetes/10182.hpp"
#include "scenarios/goker/kubernetes/11298.hpp"
#include "scenarios/goker/kubernetes/13135.hpp"
#include "scenarios/goker/kubernetes/1321.hpp"
#include "scenarios/goker/kubernetes/25331.hpp"
#include "scenarios/goker/kubernetes/26980.hpp"
#include "scenarios/goker/kubernetes/30872.hpp"
#include "scenarios/goker/kubernetes/38669.hpp"
#include "scenarios/goker/kubernetes/5316.hpp"
#include "scenarios/goker/kubernetes/58107.hpp"
#include "scenarios/goker/kubernetes/62464.hpp"
#include "scenarios/goker/kubernetes/6632.hpp"
#include "scenarios/goker/kubernetes/70277.hpp"
#include "scenarios/goker/kubernetes/13058.hpp"
#include "scenarios/goker/kubernetes/49404.hpp"
#include "scenarios/goker/kubernetes/70892.hpp"
#include "scenarios/goker/kubernetes/77796.hpp"
#include "scenarios/goker/kubernetes/79631.hpp"
#include "scenarios/goker/kubernetes/80284.hpp"
#include "scenarios/goker/kubernetes/81091.hpp"
#include "scenarios/goker/kubernetes/81148.hpp"
#include "scenarios/goker/kubernetes/82239.hpp"
#include "scenarios/goker/kubernetes/82550.hpp"
#include "scenarios/goker/kubernetes/88331.hpp"
#include "scenarios/goker/kubernetes/89164.hpp"

namespace lockstep::scenarios {

std::vector<Scenario> goker_kubernetes() {
  return {
      // Blocking kernels.
      goker_k8s_1321::scenario(),
      goker_k8s_1321::fixed_scenario(),
      goker_k8s_5316::scenario(),
      goker_k8s_5316::fixed_scenario(),
      goker_k8s_6632::scenario(),
      goker_k8s_6632::fixed_scenario(),
      goker_k8s_10182::scenario(),
      goker_k8s_11298::scenario(),
      goker_k8s_11298::fixed_scenario(),
      goker_k8s_13135::scenario(),
      goker_k8s_13135::fixed_scenario(),
      goker_k8s_25331::scenario(),
      goker_k8s_25331::fixed_scenario(),
      goker_k8s_26980::scenario(),
      goker_k8s_30872::scenario(),
      goker_k8s_30872::fixed_scenario(),
      goker_k8s_38669::scenario(),
      goker_k8s_38669::fixed_scenario(),
      goker_k8s_58107::scenario(),
      goker_k8s_62464::scenario(),
      goker_k8s_62464::fixed_scenario(),
      goker_k8s_70277::scenario(),
      goker_k8s_70277::fixed_scenario(),
      // Non-blocking kernels.
      goker_k8s_13058::scenario(),
      goker_k8s_49404::scenario(),
      goker_k8s_70892::scenario(),
      goker_k8s_77796::scenario(),
      goker_k8s_79631::scenario(),
      goker_k8s_80284::scenario(),
      goker_k8s_81091::scenario(),
      goker_k8s_81148::scenario(),
      goker_k8s_82239::scenario(),
      goker_k8s_82550::scenario(),
      goker_k8s_88331::scenario(),
      goker_k8s_89164::scenario(),
  };
}

}  // namespace lockstep::scenarios
