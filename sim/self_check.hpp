// The determinism self-check (Options::self_check): one schedule, run twice,
// must produce the same event stream (event_log.hpp).
//
// Both runs use the same options, so the same seed and strategy: a program
// that only depends on what the simulation controls takes the same decisions
// and produces the same events, bit for bit. Anything else it reads (a static
// counter, the real clock, an address, an unordered container of pointers,
// a random device) can change the stream, and the check reports the first
// event that differs, which points at where the program went its own way.
#pragma once

#include <string>

#include "runtime/seam.hpp"
#include "sim/event_log.hpp"
#include "sim/options.hpp"
#include "sim/report.hpp"

namespace lockstep::sim::detail {

// run_checked() runs `root` twice with `options` and returns the first run's
// report, or, if the streams differ, that report with the nondeterminism
// verdict. Writes the first run's trace to `trace_path` unless it is empty.
Report run_checked(lockstep::detail::Body root, const Options& options, const std::string& trace_path,
                   SourceLocation where);

// first_difference() is empty if the two logs are the same, else a message
// naming the first event that differs.
std::string first_difference(const EventLog& first, const EventLog& second);

}  // namespace lockstep::sim::detail
