// The HTML report's page (html_report.hpp): the sections in order, the
// stylesheet and the zoom script, all inline.
#include "sim/html_report.hpp"

#include <fmt/format.h>

#include "runtime/misuse.hpp"
#include "sim/simulation.hpp"
#include "sim/trace.hpp"

namespace lockstep::sim {
namespace {

constexpr const char* kStyle = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:16px 24px;color:#222}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:22px 0 6px}
pre,.mono,svg text,.label,.axis{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
pre{background:#f6f6f6;padding:8px;overflow-x:auto;white-space:pre}
.verdict{color:#b00020}.figures{color:#555}
#wait-graph .node rect{fill:#eef3ff;stroke:#4466aa}#wait-graph .object rect{fill:#fff8e6;stroke:#aa8833}
#wait-graph .cycle rect{stroke:#c00;stroke-width:2}#wait-graph text{text-anchor:middle}
#wait-graph .edge line{stroke:#666}#wait-graph .edge.cycle line{stroke:#c00;stroke-width:2}
#wait-graph .edge text{fill:#555;font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:3px}#wait-graph marker path{fill:#666}
.timeline{display:flex;border:1px solid #ddd}.labels{flex:none;max-width:260px;border-right:1px solid #ddd}
.label{height:20px;line-height:20px;padding:0 6px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.scroll{overflow-x:auto;flex:1}.inner{width:100%;min-width:100%}
.axis{position:relative;height:20px;border-bottom:1px solid #ddd;white-space:nowrap}
.axis span{position:absolute;top:3px;color:#555;padding-left:2px;border-left:1px solid #999}
#timeline{display:block}#timeline line{vector-effect:non-scaling-stroke;stroke-width:1}
#timeline .grid{stroke:#ddd}#timeline .running{fill:#3a9d5d}#timeline .blocked{fill:#e8a33d}
#timeline .spawn{stroke:#4466aa}#timeline .exit{stroke:#222}#timeline .ready{stroke:#7b3fa0}
#timeline .decide{stroke:#999}#timeline .timer{stroke:#0a7ea4}#timeline .advance{stroke:#0a7ea4}
#timeline .verdict{stroke:#c00;stroke-width:2}
.legend span{display:inline-block;margin-right:12px}.legend i{display:inline-block;width:12px;height:10px;margin-right:4px}
)";

// Zoom: the plot's container width, in percent of the visible width.
constexpr const char* kScript = R"(
(function(){var z=1,inner=document.getElementById('timeline-inner'),scroll=document.getElementById('timeline-scroll');
if(!inner)return;function set(k,cx){var f=(scroll.scrollLeft+cx)/inner.offsetWidth;z=Math.min(Math.max(k,1),4096);
inner.style.width=(100*z)+'%';scroll.scrollLeft=f*inner.offsetWidth-cx;document.getElementById('zoom-level').textContent=z+'x';}
document.getElementById('zoom-in').onclick=function(){set(z*2,scroll.clientWidth/2);};
document.getElementById('zoom-out').onclick=function(){set(z/2,scroll.clientWidth/2);};
document.getElementById('zoom-fit').onclick=function(){set(1,0);};
scroll.addEventListener('wheel',function(e){if(!e.ctrlKey)return;e.preventDefault();
set(e.deltaY<0?z*2:z/2,e.clientX-scroll.getBoundingClientRect().left);},{passive:false});
document.body.dataset.ready='1';})();
)";

std::string count(std::uint64_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string graph_section(const Report& r) {
  if (r.graph.empty())
    return fmt::format("<p>No wait-for graph: it is built for deadlock and leak verdicts, and this run "
                       "ended in {}.</p>\n",
                       to_string(r.verdict));
  return detail::wait_graph_svg(r.graph) + "<pre id=\"wait-graph-text\">" + detail::html_escape(r.graph.text()) +
         "</pre>\n";
}

}  // namespace

RecordedRun run_recorded(lockstep::detail::Body root, const Options& options, SourceLocation where) {
  detail::require_runnable(root, "sim::run_recorded()", where);
  RecordedRun out;
  detail::Simulation simulation(options, where);
  simulation.set_log(&out.log);
  out.report = simulation.run(std::move(root), where);
  return out;
}

std::string html_report(const RecordedRun& run, const HtmlPage& page) {
  const Report& r = run.report;
  auto e = [](std::string_view s) { return detail::html_escape(s); };
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>lockstep: {} in {}</title><style>{}</style></head><body>\n",
      to_string(r.verdict), e(page.title), kStyle);
  out += fmt::format("<h1>lockstep: <span class=\"verdict\" id=\"verdict\">{}</span> in <span class=\"mono\">{}</span></h1>\n",
                     to_string(r.verdict), e(page.title));
  out += fmt::format("<p class=\"mono\" id=\"message\">{}</p>\n", e(r.message));
  out += fmt::format(
      "<p class=\"figures\">at +{} ({}) after {}, {}; {} spawned, peak {} live; strategy {}, seed {}, {}</p>\n",
      format_duration(r.elapsed()), format_time(r.end), count(r.steps, "step", "steps"),
      count(r.switches, "switch", "switches"), count(r.fibers_spawned, "fiber", "fibers"), r.peak_fibers,
      e(describe(r.strategy)), r.seed, count(r.decision_count, "decision", "decisions"));
  out += fmt::format("<h2>Replay</h2>\n<pre id=\"replay\">{}</pre>\n", e(page.replay_command));
  out += "<h2>Wait-for graph</h2>\n" + graph_section(r);
  out += "<h2>Timeline</h2>\n<p class=\"legend\"><button id=\"zoom-out\">&minus;</button> "
         "<button id=\"zoom-in\">+</button> <button id=\"zoom-fit\">fit</button> <span id=\"zoom-level\">1x</span> "
         "(ctrl + wheel zooms; hover a mark for its details) "
         "<span><i style=\"background:#3a9d5d\"></i>running</span><span><i style=\"background:#e8a33d\"></i>blocked</span>"
         "<span><i style=\"background:#7b3fa0\"></i>ready</span><span><i style=\"background:#999\"></i>decision</span>"
         "<span><i style=\"background:#0a7ea4\"></i>timer, clock</span><span><i style=\"background:#c00\"></i>verdict</span></p>\n";
  out += detail::timeline_html(run.log);
  out += fmt::format("<h2>Goroutine dump</h2>\n<pre id=\"dump\">{}</pre>\n",
                     e(r.fibers.empty() ? std::string{} : format_dump(r.fibers, r.start, r.end, "fiber")));
  out += fmt::format("<script>{}</script>\n</body></html>\n", kScript);
  return out;
}

void write_html_report(const RecordedRun& run, const HtmlPage& page, const std::string& path, SourceLocation where) {
  detail::write_text_file(html_report(run, page), path, "the HTML report", where);
}

namespace detail {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace detail
}  // namespace lockstep::sim
