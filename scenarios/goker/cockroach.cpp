// The GoKer kernels of cockroach (GoBench's goker/blocking/cockroach and goker/nonblocking/cockroach),
// each buggy kernel followed by its fixed twin, by upstream issue number. Non-blocking 4407 is ported
// (cockroach/4407.hpp) but not listed: lockstep cannot reach its race (docs/goker/cockroach.md).
#include "scenarios/goker/cockroach/10214.hpp"
#include "scenarios/goker/cockroach/1055.hpp"
#include "scenarios/goker/cockroach/10790.hpp"
#include "scenarios/goker/cockroach/13197.hpp"
#include "scenarios/goker/cockroach/13755.hpp"
#include "scenarios/goker/cockroach/1462.hpp"
#include "scenarios/goker/cockroach/16167.hpp"
#include "scenarios/goker/cockroach/18101.hpp"
#include "scenarios/goker/cockroach/2448.hpp"
#include "scenarios/goker/cockroach/24808.hpp"
#include "scenarios/goker/cockroach/25456.hpp"
#include "scenarios/goker/cockroach/35073.hpp"
#include "scenarios/goker/cockroach/35501.hpp"
#include "scenarios/goker/cockroach/35931.hpp"
#include "scenarios/goker/cockroach/3710.hpp"
#include "scenarios/goker/cockroach/584.hpp"
#include "scenarios/goker/cockroach/6181.hpp"
#include "scenarios/goker/cockroach/7504.hpp"
#include "scenarios/goker/cockroach/9935.hpp"
#include "scenarios/goker/goker.hpp"

namespace lockstep::scenarios {

std::vector<Scenario> goker_cockroach() {
  return {
      cockroach584::scenario(),   cockroach584::fixed_scenario(),
      cockroach1055::scenario(),
      cockroach1462::scenario(),  cockroach1462::fixed_scenario(),
      cockroach2448::scenario(),
      cockroach3710::scenario(),  cockroach3710::fixed_scenario(),
      cockroach6181::scenario(),  cockroach6181::fixed_scenario(),
      cockroach7504::scenario(),  cockroach7504::fixed_scenario(),
      cockroach9935::scenario(),  cockroach9935::fixed_scenario(),
      cockroach10214::scenario(), cockroach10214::fixed_scenario(),
      cockroach10790::scenario(),
      cockroach13197::scenario(), cockroach13197::fixed_scenario(),
      cockroach13755::scenario(), cockroach13755::fixed_scenario(),
      cockroach16167::scenario(), cockroach16167::fixed_scenario(),
      cockroach18101::scenario(), cockroach18101::fixed_scenario(),
      cockroach24808::scenario(), cockroach24808::fixed_scenario(),
      cockroach25456::scenario(), cockroach25456::fixed_scenario(),
      cockroach35073::scenario(), cockroach35073::fixed_scenario(),
      cockroach35501::scenario(), cockroach35501::fixed_scenario(),
      cockroach35931::scenario(),
  };
}

}  // namespace lockstep::scenarios
