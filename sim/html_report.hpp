// HTML report: one failing run as ONE self-contained HTML file, for a person
// opening it from a CI job's artifacts (no network, no external file).
//
//   sim::RecordedRun run = sim::run_recorded(body, options);
//   sim::write_html_report(run, {"mistakes/leak_no_stop", "lockstep-scenarios replay ..."}, "failure.html");
//
// The page, top to bottom (docs/testing-guide.md shows one):
//   - the verdict, its message, the run's figures and the replay command;
//   - the wait-for graph (deadlock and leak verdicts) drawn as inline SVG,
//     each cycle as a ring of its fibers and objects, then the other blocked
//     fibers with what they wait on, then the graph's sentences;
//   - a timeline with one row per fiber (and one for the scheduler): running
//     and blocked intervals (hover: the wait reason and object, from when to
//     when), readies, decisions, timers and the clock's moves, zoomable
//     (buttons, ctrl + wheel) by a few lines of inline JavaScript;
//   - the grouped goroutine dump.
// The timeline's axis is the run's event order, one unit per event, with a
// labelled gap wherever virtual time moves: a run spends most of its events
// at a few instants, which a to-scale axis would draw as zero-width lines.
//
// Everything the user named (fiber names, object descriptions, messages) is
// HTML-escaped. The same run gives the same bytes. Size: 100 to 130 bytes
// per event, and the timeline draws at most the run's last 2000 events
// (saying so above it), so a page stays under about 300 KiB however long the
// run; docs/simulation.md gives the largest scenario's figures.
#pragma once

#include <string>
#include <string_view>

#include "runtime/seam.hpp"
#include "runtime/source_location.hpp"
#include "sim/event_log.hpp"
#include "sim/options.hpp"
#include "sim/report.hpp"

namespace lockstep::sim {

// A run's report and every event of it (sim/event_log.hpp).
struct RecordedRun {
  Report report;
  detail::EventLog log;
};

// run_recorded() is sim::run() with the event log kept: the same schedule
// and verdict. options.self_check, trace_path and graph_path are ignored.
RecordedRun run_recorded(lockstep::detail::Body root, const Options& options,
                         SourceLocation where = SourceLocation::current());

// What the page says beyond the run itself.
struct HtmlPage {
  std::string title;           // what ran: "mistakes/leak_no_stop", a test's name
  std::string replay_command;  // the shell command that reruns it
};

// html_report() is the page.
std::string html_report(const RecordedRun& run, const HtmlPage& page);

// write_html_report() writes it to `path`; Misuse naming the path if it
// cannot be written.
void write_html_report(const RecordedRun& run, const HtmlPage& page, const std::string& path,
                       SourceLocation where = SourceLocation::current());

namespace detail {
// html_escape() makes `text` safe as HTML text and attribute values.
std::string html_escape(std::string_view text);
// wait_graph_svg() is the graph drawn as an <svg> element ("" if empty).
std::string wait_graph_svg(const WaitGraph& graph);
// timeline_html() is the timeline: row labels, the SVG and the axis.
std::string timeline_html(const EventLog& log);
}  // namespace detail

}  // namespace lockstep::sim
