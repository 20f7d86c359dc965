#include "scenarios/scenario.hpp"

#include <fmt/format.h>

namespace lockstep::scenarios {

std::string Expectation::describe() const {
  if (!buggy()) return "passed";
  std::string s = fmt::format("{}, fiber \"{}\" {}", sim::to_string(verdict), fiber, sim::to_string(state));
  if (!reason.empty()) s += fmt::format(" [{}]", reason);
  return s;
}

bool Expectation::checkable() const noexcept {
#ifdef LOCKSTEP_RACE_DETECTOR
  return true;
#else
  return verdict != sim::Verdict::race;
#endif
}

bool matches(const Expectation& e, const sim::Report& r) {
  if (r.verdict != e.verdict) return false;
  if (!e.buggy()) return true;
  if (r.message.find(e.message) == std::string::npos) return false;
  // Which of two racing fibers accesses second (and so is caught running) is
  // the schedule's choice: a race matches when its message names the fiber.
  if (e.verdict == sim::Verdict::race)
    return r.message.find(fmt::format("\"{}\"", e.fiber)) != std::string::npos;
  for (const auto& f : r.fibers)
    if (f.name == e.fiber && f.state == e.state && f.reason == e.reason) return true;
  return false;
}

}  // namespace lockstep::scenarios
