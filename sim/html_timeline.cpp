// The HTML report's timeline (html_report.hpp): one row per fiber, from the
// event log. Layout: event i sits at x = i + kGap * (moves of the clock
// before it); rows are kRow units high. The plot is an SVG scaled to the
// container's width (preserveAspectRatio none: only x stretches, and marks
// keep a 1px stroke), so zooming is one CSS width; the row labels sit outside
// it and the axis labels are positioned in percent, so neither stretches.
#include <fmt/format.h>

#include <map>
#include <optional>
#include <vector>

#include "runtime/clock.hpp"
#include "sim/html_report.hpp"

namespace lockstep::sim::detail {
namespace {

constexpr std::int64_t kGap = 6;  // units between two virtual instants
constexpr int kRow = 20;          // units per row (1 unit = 1 px vertically)
// The timeline draws at most the last kEventsMax events (about 100 bytes
// each), so a long run (a livelock runs to its budget) keeps the page small;
// the end is where the verdict is.
constexpr std::size_t kEventsMax = 2000;

// fmt, not "+" + string: g++ 12 at -O3 misreports operator+ (-Wrestrict, GCC bug 105329).
std::string at(std::int64_t ns) { return fmt::format("+{}", format_duration(Duration{ns})); }

std::string fiber_label(std::uint64_t id, const std::string& name) {
  if (id == 0) return "scheduler";
  return name.empty() ? fmt::format("fiber {}", id) : fmt::format("fiber {} \"{}\"", id, name);
}

std::string blocked_text(const Event& park) {
  return park.text.empty() ? std::string{park.reason} : fmt::format("{} on {}", park.reason, park.text);
}

class Timeline {
 public:
  explicit Timeline(const EventLog& log)
      : events_(log.events()), first_(events_.size() > kEventsMax ? events_.size() - kEventsMax : 0) {
    place();
  }

  std::string html() {
    for (std::size_t i = 0; i < events_.size(); ++i) draw(i);
    for (std::size_t f = 0; f < blocked_.size(); ++f)  // blocked at the end: open to the right edge
      if (blocked_[f]) close_blocked(f, width_);
    if (running_) close_running(width_);
    finish_axis();
    std::string labels, rows;
    for (std::size_t r = 0; r < order_.size(); ++r) {
      std::uint64_t id = order_[r];
      std::string label = html_escape(fiber_label(id, names_[id]));
      labels += fmt::format("<div class=\"label\" title=\"{0}\">{0}</div>", label);
      rows += fmt::format("<g class=\"{}\" data-fiber=\"{}\" transform=\"translate(0,{})\">{}</g>\n",
                          id == 0 ? "scheduler-row" : "fiber-row", id, r * kRow, marks_[id]);
    }
    std::int64_t height = static_cast<std::int64_t>(order_.size()) * kRow;
    std::string window;
    if (first_ > 0)
      window = fmt::format("<p id=\"timeline-window\">The last {} of {} events, from {}; the whole run is in the "
                           "trace export (LOCKSTEP_TRACE, Perfetto).</p>\n",
                           kEventsMax, events_.size(), at(events_[first_].at_ns));
    return window + fmt::format(
        "<div class=\"timeline\"><div class=\"labels\"><div class=\"label axis-label\">virtual time</div>{}</div>"
        "<div class=\"scroll\" id=\"timeline-scroll\"><div class=\"inner\" id=\"timeline-inner\">"
        "<div class=\"axis\">{}</div>"
        "<svg id=\"timeline\" viewBox=\"0 0 {} {}\" preserveAspectRatio=\"none\" width=\"100%\" height=\"{}\">\n"
        "{}{}</svg></div></div></div>\n",
        labels, axis_, width_, height, height, grid_, rows);
  }

 private:
  // place() computes every event's x, the rows (scheduler, then fibers by
  // id) and the axis.
  void place() {
    x_.resize(events_.size());
    std::int64_t x = 0;
    names_[0] = "";
    order_.push_back(0);
    for (std::size_t i = 0; i < events_.size(); ++i) {
      const Event& e = events_[i];
      if (i > first_ && e.at_ns != events_[i - 1].at_ns) {
        x += kGap;
        tick(x - kGap / 2, e.at_ns);
      } else if (i == first_) {
        tick(0, e.at_ns);
      }
      x_[i] = x;  // 0 before the window: bars open then start at its left edge
      if (i >= first_) ++x;
      if (e.kind == EventKind::spawn && !names_.contains(e.other)) {
        names_[e.other] = e.text;
        order_.push_back(e.other);
      }
    }
    width_ = std::max<std::int64_t>(x, 1);
  }

  void tick(std::int64_t x, std::int64_t ns) {
    // In units: the percent needs the final width (finish_axis()).
    ticks_.push_back({x, ns});
  }

  void finish_axis() {
    for (auto [x, ns] : ticks_) {
      axis_ += fmt::format("<span style=\"left:{:.3f}%\">{}</span>", 100.0 * static_cast<double>(x) / static_cast<double>(width_), at(ns));
      grid_ += fmt::format("<line class=\"grid\" x1=\"{0}\" x2=\"{0}\" y1=\"0\" y2=\"100%\"/>", x);
    }
  }

  void mark(std::uint64_t fiber, const char* cls, std::int64_t x, const std::string& title) {
    if (drawing_ < first_) return;  // before the window
    marks_[fiber] += fmt::format("<line class=\"{}\" x1=\"{}\" x2=\"{}\" y1=\"2\" y2=\"18\"><title>{}</title></line>", cls,
                                 x, x, html_escape(title));
  }
  void bar(std::uint64_t fiber, const char* cls, std::int64_t x0, std::int64_t x1, const std::string& title) {
    if (drawing_ < first_) return;  // ends before the window
    marks_[fiber] += fmt::format("<rect class=\"{}\" x=\"{}\" y=\"4\" width=\"{}\" height=\"12\"><title>{}</title></rect>",
                                 cls, x0, std::max<std::int64_t>(x1 - x0, 1), html_escape(title));
  }

  // A bar that ends before the window is not drawn.
  void close_running(std::int64_t x) {
    const Event& e = events_[*running_];
    bar(e.fiber, "running", x_[*running_], x, fmt::format("running at {}", at(e.at_ns)));
    running_.reset();
  }
  void close_blocked(std::size_t fiber, std::int64_t x, std::optional<std::int64_t> end_ns = {}) {
    const Event& e = events_[*blocked_[fiber]];
    std::string until = end_ns ? fmt::format(" to {}", at(*end_ns)) : std::string{", still blocked at the end"};
    bar(fiber, "blocked", x_[*blocked_[fiber]], x, fmt::format("{}: {}{}", blocked_text(e), at(e.at_ns), until));
    blocked_[fiber].reset();
  }
  std::optional<std::size_t>& blocked_of(std::uint64_t fiber) {
    if (blocked_.size() <= fiber) blocked_.resize(fiber + 1);
    return blocked_[fiber];
  }

  void draw(std::size_t i) {
    drawing_ = i;
    const Event& e = events_[i];
    std::int64_t x = x_[i];
    switch (e.kind) {
      case EventKind::spawn:
        mark(e.fiber, "spawn", x, fmt::format("spawns {}", fiber_label(e.other, e.text)));
        break;
      case EventKind::run:
        if (running_) close_running(x);
        if (blocked_of(e.fiber)) close_blocked(e.fiber, x, e.at_ns);  // sim::wait() has no ready
        running_ = i;
        break;
      case EventKind::park:
        if (running_) close_running(x);
        blocked_of(e.fiber) = i;
        break;
      case EventKind::ready:
        if (blocked_of(e.other)) close_blocked(e.other, x, e.at_ns);
        mark(e.fiber, "ready", x,
             fmt::format("readies {} [{}]", fiber_label(e.other, names_[e.other]), blocked_text(e)));
        break;
      case EventKind::exit:
        if (running_) close_running(x);
        mark(e.fiber, "exit", x, "exits");
        break;
      case EventKind::decide:
        mark(e.fiber, "decide", x, fmt::format("decision {} of {}", e.chosen, e.alternatives));
        break;
      case EventKind::timer:
        mark(0, "timer", x,
             e.other == ~std::uint64_t{0} ? std::string{"timer fired on add"} : fmt::format("timer #{} fired", e.other));
        break;
      case EventKind::advance: mark(0, "advance", x, fmt::format("virtual time moves to {}", at(e.at_ns))); break;
      case EventKind::verdict:
        if (running_) close_running(x);
        mark(0, "verdict", x, e.text);
        width_ = x + 1;
        break;
    }
  }

  const std::vector<Event>& events_;
  std::size_t first_;        // the first event drawn
  std::size_t drawing_ = 0;  // the event draw() is at
  std::vector<std::int64_t> x_;
  std::int64_t width_ = 1;
  std::map<std::uint64_t, std::string> names_;  // by fiber id; 0: the scheduler
  std::vector<std::uint64_t> order_;            // rows: 0, then fibers by spawn (= id) order
  std::map<std::uint64_t, std::string> marks_;  // each row's SVG
  std::optional<std::size_t> running_;          // the open "running" bar's event
  std::vector<std::optional<std::size_t>> blocked_;  // each fiber's open "blocked" bar's event
  std::vector<std::pair<std::int64_t, std::int64_t>> ticks_;  // (x, virtual ns)
  std::string axis_, grid_;
};

}  // namespace

std::string timeline_html(const EventLog& log) {
  if (log.events().empty()) return "<p>No events were recorded.</p>\n";
  return Timeline(log).html();
}

}  // namespace lockstep::sim::detail
