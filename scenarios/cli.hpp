// The command-line runner, as a function the tests can call.
//
//   lockstep-scenarios list
//   lockstep-scenarios run [NAME|GROUP/ ...] [--strategy fifo|random|pct|dfs|pos|portfolio]
//                          [--schedules N] [--seed S] [--depth D] [--steps K]
//                          [--delays B | --preemptions B] [--no-dump]
//   lockstep-scenarios replay NAME TOKEN [--graph FILE]
//   lockstep-scenarios report NAME TOKEN -o FILE.html
//   lockstep-scenarios fuzz [NAME|GROUP/ ...] [--strategy random|pct|dfs|pos|portfolio] [--schedules N]
//                           [--seed S] [--depth D] [--steps K] [--delays B | --preemptions B]
//                           [--shard i/n] [--out FILE] [--no-dump]
//   lockstep-scenarios merge FILE... [--out FILE]
//
// run_cli() returns the exit status: 0 when every expectation held (each
// buggy scenario caught with its verdict, each correct one passed on every
// schedule), 1 when one did not, 2 for bad input (an unknown command or
// scenario, a bad flag or value, a malformed or empty token), with a
// one-line message on `err`. Any exception that reaches the top ends the
// same way (std::bad_alloc: "out of memory"): run_cli() throws nothing.
// `fuzz` and `merge` are campaigns: see campaign_cli.hpp. `env` is where
// `fuzz` reads the sharding environment (tests pass their own).
#pragma once

#include <ostream>
#include <string>

#include "exploration/shard.hpp"

namespace lockstep::scenarios {

inline constexpr int kExitHeld = 0;
inline constexpr int kExitNotHeld = 1;
inline constexpr int kExitUsage = 2;

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err, const exploration::Env& env = exploration::process_env);

// usage_error() prints "lockstep-scenarios: <what>" and returns kExitUsage:
// the one shape of every bad-input message.
int usage_error(std::ostream& err, const std::string& what);

}  // namespace lockstep::scenarios
