#include "exploration/target.hpp"

#include <fmt/format.h>

namespace lockstep::exploration {

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

sim::Options options_for(const Target& t, const sim::Strategy& strategy, std::uint64_t seed, std::uint64_t k) {
  sim::Options o = t.options;
  o.strategy = strategy;
  o.seed = seed;
  o.self_check = t.self_check_every != 0 && k % t.self_check_every == 0;
  // A non-empty replay wins over LOCKSTEP_REPLAY: a schedule is what the
  // caller asked for. (The systematic search's runs never read the variable.)
  bool own_token = strategy.kind() != sim::Strategy::Kind::dfs && !t.ambient_replay;
  o.replay = own_token ? sim::make_token(strategy, seed) : std::string();
  return o;
}

sim::Report run_schedule(const Target& t, const sim::Strategy& strategy, std::uint64_t seed, std::uint64_t k) {
  return sim::run(t.body, options_for(t, strategy, seed, k), t.where);
}

sim::Verdict tallied(const Target& t, const sim::Report& r) noexcept {
  return t.allow_leaks && r.verdict == sim::Verdict::leak ? sim::Verdict::passed : r.verdict;
}

}  // namespace lockstep::exploration
