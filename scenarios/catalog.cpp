#include "scenarios/catalog.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "scenarios/mistakes/after_in_loop.hpp"
#include "scenarios/mistakes/after_in_loop_fixed.hpp"
#include "scenarios/mistakes/busy_select_default.hpp"
#include "scenarios/mistakes/busy_select_default_fixed.hpp"
#include "scenarios/mistakes/close_by_receiver.hpp"
#include "scenarios/mistakes/close_by_receiver_fixed.hpp"
#include "scenarios/mistakes/cond_no_recheck.hpp"
#include "scenarios/mistakes/cond_no_recheck_fixed.hpp"
#include "scenarios/mistakes/dropped_error.hpp"
#include "scenarios/mistakes/dropped_error_fixed.hpp"
#include "scenarios/mistakes/forgotten_reply.hpp"
#include "scenarios/mistakes/forgotten_reply_fixed.hpp"
#include "scenarios/mistakes/leak_no_stop.hpp"
#include "scenarios/mistakes/leak_no_stop_fixed.hpp"
#include "scenarios/mistakes/missing_receiver.hpp"
#include "scenarios/mistakes/missing_receiver_fixed.hpp"
#include "scenarios/mistakes/once_no_retry.hpp"
#include "scenarios/mistakes/once_no_retry_fixed.hpp"
#include "scenarios/mistakes/polite_retry.hpp"
#include "scenarios/mistakes/polite_retry_fixed.hpp"
#include "scenarios/mistakes/unbounded_fanout.hpp"
#include "scenarios/mistakes/unbounded_fanout_fixed.hpp"
#include "scenarios/mistakes/unbounded_backoff.hpp"
#include "scenarios/mistakes/unbounded_backoff_fixed.hpp"
#include "scenarios/mistakes/unguarded_counter.hpp"
#include "scenarios/mistakes/unguarded_counter_fixed.hpp"
#include "scenarios/goker/goker.hpp"
#include "scenarios/pattern_checks.hpp"
#include "scenarios/service/dispatch_scenario.hpp"
#include "sim/input.hpp"

namespace lockstep::scenarios {

const std::vector<Scenario>& catalog() {
  static const std::vector<Scenario> all = [] {
    std::vector<Scenario> list{dispatch_service_scenario()};
    for (auto& s : pattern_scenarios()) list.push_back(std::move(s));
    for (auto& s : {
             leak_no_stop_scenario(),        leak_no_stop_fixed_scenario(),
             close_by_receiver_scenario(),   close_by_receiver_fixed_scenario(),
             missing_receiver_scenario(),    missing_receiver_fixed_scenario(),
             polite_retry_scenario(),        polite_retry_fixed_scenario(),
             busy_select_default_scenario(), busy_select_default_fixed_scenario(),
             dropped_error_scenario(),       dropped_error_fixed_scenario(),
             unbounded_fanout_scenario(),    unbounded_fanout_fixed_scenario(),
             after_in_loop_scenario(),       after_in_loop_fixed_scenario(),
             cond_no_recheck_scenario(),     cond_no_recheck_fixed_scenario(),
             once_no_retry_scenario(),       once_no_retry_fixed_scenario(),
             forgotten_reply_scenario(),     forgotten_reply_fixed_scenario(),
             unbounded_backoff_scenario(),   unbounded_backoff_fixed_scenario(),
             unguarded_counter_scenario(),   unguarded_counter_fixed_scenario(),
         })
      list.push_back(s);
    for (auto& s : goker_scenarios()) list.push_back(std::move(s));
    return list;
  }();
  return all;
}

const Scenario* find_scenario(std::string_view name) {
  for (const auto& s : catalog())
    if (s.name == name) return &s;
  return nullptr;
}

std::vector<const Scenario*> select_scenarios(const std::vector<std::string>& args) {
  std::vector<const Scenario*> out;
  if (args.empty()) {
    for (const auto& s : catalog()) out.push_back(&s);
    return out;
  }
  for (const auto& arg : args) {
    bool group = !arg.empty() && arg.back() == '/';
    std::size_t before = out.size();
    for (const auto& s : catalog())
      if (group ? s.name.starts_with(arg) : s.name == arg) out.push_back(&s);
    if (out.size() == before)
      throw std::invalid_argument(fmt::format("unknown scenario {} (see `list`)", sim::quote(arg)));
  }
  return out;
}

sim::Options options_for(const Scenario& s, const sim::Strategy& strategy, std::uint64_t seed) {
  return exploration::options_for(s.target(), strategy, seed, 0);
}

sim::Report run_schedule(const Scenario& s, const sim::Strategy& strategy, std::uint64_t seed,
                         const std::string& graph_path) {
  exploration::Target t = s.target();
  t.options.graph_path = graph_path;
  return exploration::run_schedule(t, strategy, seed, 0);
}

std::string replay_command(std::string_view name, std::string_view token) {
  return fmt::format("lockstep-scenarios replay {} '{}'", name, token);
}

sim::Report run_token(const Scenario& s, const std::string& token) {
  // Parsed here, not left to sim::run(): there an empty token means "none",
  // and LOCKSTEP_REPLAY would stand in for it.
  sim::Strategy strategy = sim::Strategy::fifo();
  std::uint64_t seed = 0;
  sim::parse_token(token, strategy, seed);
  return run_schedule(s, strategy, seed);
}

}  // namespace lockstep::scenarios
