// The scenario catalog, and running one schedule of one scenario.
//
//   const Scenario* s = find_scenario("mistakes/leak_no_stop");
//   sim::Report r = run_schedule(*s, sim::Strategy::random(), 7);
//   bool caught = matches(s->expect, r);
//
// This is the small library the command-line runner is built on; its
// campaigns (`fuzz`, sharding, JSON lines, `merge`) are exploration/'s,
// run on the scenarios' targets (Scenario::target()).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

// catalog() lists every scenario: the service first, then the patterns, then
// each mistake followed by its fixed twin, then the GoKer kernels
// (goker/goker.hpp). Names are unique and stable (they are the CLI's).
const std::vector<Scenario>& catalog();

// find_scenario() returns the scenario of that exact name, or null.
const Scenario* find_scenario(std::string_view name);

// select_scenarios() resolves CLI arguments: exact names, or a group prefix
// ending in '/' ("mistakes/"). Throws std::invalid_argument naming the first
// argument that matches nothing. No arguments: the whole catalog.
std::vector<const Scenario*> select_scenarios(const std::vector<std::string>& args);

// options_for() is the Options one schedule runs with: the scenario's limits,
// the strategy and seed, and no ambient replay (exploration::options_for()).
sim::Options options_for(const Scenario& s, const sim::Strategy& strategy, std::uint64_t seed);

// run_schedule() runs one schedule of `s` and returns its report; with a
// `graph_path`, a deadlock or leak also writes its wait-for graph there (DOT).
sim::Report run_schedule(const Scenario& s, const sim::Strategy& strategy, std::uint64_t seed,
                         const std::string& graph_path = {});

// replay_command() is the shell command that replays `token` on the
// scenario: lockstep-scenarios replay NAME 'TOKEN'.
std::string replay_command(std::string_view name, std::string_view token);

// run_token() replays a replay token on `s`; Misuse for a malformed or empty
// token (LOCKSTEP_REPLAY is never read).
sim::Report run_token(const Scenario& s, const std::string& token);

}  // namespace lockstep::scenarios
