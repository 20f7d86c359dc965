// Trace export: one simulation run as Chrome trace-event JSON, which the
// Perfetto UI (https://ui.perfetto.dev) and chrome://tracing open.
//
// Turn it on with Options::trace_path or LOCKSTEP_TRACE=<path>; the file is
// written when sim::run() returns. Layout (docs/fuzzing.md decodes it):
//   - one process (pid 1) "lockstep simulation"; one track per fiber, tid =
//     fiber id, thread_name = the fiber's name ("fiber <id>" if unnamed), and
//     track 0 "scheduler" for timers, clock moves and the verdict;
//   - complete slices ("ph":"X"): "running" while a fiber runs, and one per
//     blocked interval named after its wait reason and object, the dump's
//     text: "chan receive on chan<int> #1 cap=0 len=0";
//   - instant events ("ph":"i"): spawn, park, ready (on the readier's track,
//     naming who it readied and on what), decide (chosen of alternatives),
//     timer fired, time advance, and the verdict (global scope).
//
// Time: "ts" is virtual time in microseconds since the run's start, except
// that every event lies at least 1 ns after the one before it. Computation
// takes no virtual time, so many events share one virtual instant; the 1 ns
// steps keep them in order and give a fiber's "running" slice a visible
// width. The exact virtual time of every event is in its args as "vt"
// ("+1s"). Events appear in the file in that order (slices at their start).
#pragma once

#include <string>

#include "runtime/source_location.hpp"
#include "sim/event_log.hpp"

namespace lockstep::sim::detail {

// chrome_trace_json() renders `log` as a trace-event JSON document.
std::string chrome_trace_json(const EventLog& log);

// write_chrome_trace() writes it to `path`; Misuse if the file cannot be written.
void write_chrome_trace(const EventLog& log, const std::string& path, SourceLocation where);

// write_text_file() writes `text` to `path`; Misuse naming `what` ("the
// trace") if the file cannot be written.
void write_text_file(const std::string& text, const std::string& path, const char* what, SourceLocation where);

}  // namespace lockstep::sim::detail
