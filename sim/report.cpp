#include "sim/report.hpp"

#include <fmt/format.h>


namespace lockstep::sim {

std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::passed: return "passed";
    case Verdict::deadlock: return "deadlock";
    case Verdict::leak: return "leak";
    case Verdict::livelock: return "livelock";
    case Verdict::exception: return "exception";
    case Verdict::misuse: return "misuse";
    case Verdict::nondeterminism: return "nondeterminism";
    case Verdict::liveness: return "liveness";
    case Verdict::race: return "race";
  }
  return "?";
}

std::string Report::dump() const {
  return fibers.empty() ? std::string{} : graph.text() + format_dump(fibers, start, end, "fiber");
}

namespace {
// count(3, "step", "steps") is "3 steps", count(1, ...) is "1 step".
std::string count(std::uint64_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}
}  // namespace

std::string to_string(const Report& r) {
  std::string out = fmt::format("lockstep: {}\n", r.message);
  out += fmt::format("  at +{} ({}) after {}, {}; {} spawned, peak {} live\n",
                     format_duration(r.elapsed()), format_time(r.end), count(r.steps, "step", "steps"),
                     count(r.switches, "switch", "switches"), count(r.fibers_spawned, "fiber", "fibers"), r.peak_fibers);
  out += fmt::format("  strategy {}, seed {}, {}\n", describe(r.strategy), r.seed,
                     count(r.decision_count, "decision", "decisions"));
  if (!r.passed()) out += fmt::format("  replay with LOCKSTEP_REPLAY='{}'\n", r.replay_token);
  if (r.left_in_place > 0)
    out += fmt::format("  {} left in place at teardown, not unwound (docs/simulation.md, Teardown)\n",
                       count(r.left_in_place, "fiber", "fibers"));
  return out + r.dump();
}

}  // namespace lockstep::sim
