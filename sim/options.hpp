// Options of one simulation run; every field has a usable default.
//
//   sim::Options o;
//   o.strategy = sim::Strategy::pct(3);
//   o.seed = 42;
//   auto report = sim::run(root, o);
//
// validate() rejects values that cannot work (Misuse naming the field): a
// stack below 16 KiB, a zero livelock budget, a non-positive horizon, a
// negative watchdog, a malformed replay token.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "runtime/clock.hpp"
#include "sim/strategy.hpp"

namespace lockstep::sim {

struct Options {
  // The scheduling strategy and the seed it (and choose()) draws from.
  Strategy strategy = Strategy::fifo();
  std::uint64_t seed = 0;

  // A replay token (see strategy.hpp). When set, it replaces strategy and
  // seed. When empty, the LOCKSTEP_REPLAY environment variable is used if set
  // (except under Strategy::dfs(), whose search makes every decision)
  // and non-empty; else strategy and seed. So "" here means "no token", never
  // an empty one: a caller holding a user's token (the runner's `replay`)
  // parses it itself (try_parse_token) to report an empty one.
  std::string replay;

  // Usable bytes per fiber stack, reserved not committed: a parked fiber costs
  // the pages it touched. 256 KiB under AddressSanitizer, whose frames are
  // larger.
  std::size_t stack_size = default_stack_size();
  // Guard pages for the first kGuardedStacksMax stacks of the process (the
  // rest are canary-checked). Off: canaries only, slightly faster spawns.
  bool guard_pages = true;

  // Livelock: this many scheduling steps without virtual time moving.
  std::uint64_t livelock_steps = 100'000'000;
  // Livelock: virtual time would pass start + horizon.
  Duration horizon = std::chrono::hours(24);

  // Watchdog: a fiber that runs this long in real time without reaching a
  // scheduling point is reported (name and spawn site) and the process
  // aborts. Zero disables it.
  std::chrono::milliseconds watchdog = std::chrono::seconds(30);

  // Record every decision in Report::decisions (for Strategy::replay and
  // shrinking). Off saves 4 bytes per decision.
  bool record_decisions = true;

  // Trace: write the run as Chrome trace-event JSON (Perfetto) to this path
  // when it ends (sim/trace.hpp). When empty, the LOCKSTEP_TRACE environment
  // variable is used if set: every run of the process writes it, the last
  // one wins, so pair it with LOCKSTEP_REPLAY and one test.
  std::string trace_path;

  // Wait-for graph: on a deadlock or leak verdict, write Report::graph as
  // Graphviz DOT to this path (sim/wait_graph.hpp). Nothing is written for
  // other verdicts. Empty: no file (the report's dump has the graph as text).
  std::string graph_path;

  // Determinism self-check: run the same schedule twice, comparing a digest
  // of the two event streams (switches, parks, readies, timers, decisions and
  // their virtual times). A difference is the nondeterminism verdict, naming
  // the first event that differs. The root function is called twice, so it
  // must set up its own state. Costs a second run plus the event logs.
  bool self_check = false;

  static constexpr std::size_t default_stack_size() {
#if defined(__SANITIZE_ADDRESS__)
    return 256 * 1024;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return 256 * 1024;
#else
    return 64 * 1024;
#endif
#else
    return 64 * 1024;
#endif
  }

  // validate() throws Misuse for a value that cannot work, naming `where`.
  void validate(SourceLocation where = SourceLocation::current()) const;
};

}  // namespace lockstep::sim
