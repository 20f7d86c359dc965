#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

exploration::Target Scenario::target() const {
  exploration::Target t;
  t.name = name;
  t.expect = expect;
  t.options.livelock_steps = livelock_steps;
  t.options.horizon = horizon;
  t.body = body;
  return t;
}

}  // namespace lockstep::scenarios
