// Exploring catalog scenarios: exploration/'s engine on Scenario::target(),
// and the runner's report of one exploration.
//
//   ExploreConfig c{sim::Strategy::Kind::pct, 64, 1};
//   Exploration e = explore(*find_scenario("mistakes/polite_retry"), c);
//   std::cout << render(e, true);   // ok/FAIL, verdicts, first failure, replay command
//
// What an exploration does (seeds, the adaptive bound's warm-up, dfs, what
// "held" means) is exploration/explore.hpp's; these only name scenarios.
#pragma once

#include <string>
#include <vector>

#include "exploration/explore.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

// The engine's names the catalog's explorations and their tests use.
using exploration::Exploration;
using exploration::ExploreConfig;
using exploration::kAdaptWarmup;

// explore() explores `s` (exploration::explore() of s.target()).
Exploration explore(const Scenario& s, const ExploreConfig& c, const exploration::Progress& progress = {});

// targets() is what a campaign over these scenarios runs, in order.
std::vector<exploration::Target> targets(const std::vector<const Scenario*>& scenarios);

// render() is the runner's report of one exploration: a verdict summary, and
// for a failure found, its replay token and (if `dump`) the report and dump.
std::string render(const Exploration& e, bool dump);

// replay_any() is the command that replays a campaign's failure: the
// runner's (`lockstep-scenarios replay NAME 'TOKEN'`) for a catalog
// scenario, else a fuzz case's (LOCKSTEP_REPLAY='TOKEN' <its test binary>
// 'NAME'), whose binary a merged campaign does not know.
std::string replay_any(std::string_view target, std::string_view token);

}  // namespace lockstep::scenarios
