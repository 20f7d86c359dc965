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
#include "sim/event_slices.hpp"
#include "sim/html_report.hpp"
#include "sim/labels.hpp"

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

// row_label() names a row: the scheduler's, or a fiber's.
std::string row_label(std::uint64_t id, const std::string& name) {
  return id == 0 ? std::string{"scheduler"} : fiber_label(id, name);
}

class Timeline {
 public:
  explicit Timeline(const EventLog& log)
      : events_(log.events()), first_(events_.size() > kEventsMax ? events_.size() - kEventsMax : 0) {
    place();
  }

  std::string html() {
    for (std::size_t i = 0; i < events_.size(); ++i) draw(i);
    // Open at the end: to the right edge.
    slices_.close_blocked([&](std::size_t opened) { close_slice(opened, width_, std::nullopt); });
    slices_.close_running([&](std::size_t opened) { close_slice(opened, width_, std::nullopt); });
    finish_axis();
    std::string labels, rows;
    for (std::size_t r = 0; r < order_.size(); ++r) {
      std::uint64_t id = order_[r];
      std::string label = html_escape(row_label(id, names_[id]));
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

  // close_slice() draws the bar of the slice event `opened` opened, to x
  // (the virtual time it ended at, if it did). A bar that ends before the
  // window is not drawn.
  void close_slice(std::size_t opened, std::int64_t x, std::optional<std::int64_t> end_ns) {
    const Event& e = events_[opened];
    if (e.kind == EventKind::run) {
      bar(e.fiber, "running", x_[opened], x, fmt::format("running at {}", at(e.at_ns)));
      return;
    }
    std::string until = end_ns ? fmt::format(" to {}", at(*end_ns)) : std::string{", still blocked at the end"};
    bar(e.fiber, "blocked", x_[opened], x, fmt::format("{}: {}{}", blocked_name(e), at(e.at_ns), until));
  }

  void draw(std::size_t i) {
    drawing_ = i;
    const Event& e = events_[i];
    std::int64_t x = x_[i];
    slices_.step(i, e, [&](std::size_t opened) { close_slice(opened, x, e.at_ns); });
    switch (e.kind) {
      case EventKind::spawn:
        mark(e.fiber, "spawn", x, fmt::format("spawns {}", row_label(e.other, e.text)));
        break;
      case EventKind::ready:
        mark(e.fiber, "ready", x,
             fmt::format("readies {} [{}]", row_label(e.other, names_[e.other]), blocked_name(e)));
        break;
      case EventKind::exit: mark(e.fiber, "exit", x, "exits"); break;
      case EventKind::decide:
        mark(e.fiber, "decide", x, fmt::format("decision {} of {}", e.chosen, e.alternatives));
        break;
      case EventKind::timer:
        mark(0, "timer", x,
             e.other == ~std::uint64_t{0} ? std::string{"timer fired on add"} : fmt::format("timer #{} fired", e.other));
        break;
      case EventKind::advance: mark(0, "advance", x, fmt::format("virtual time moves to {}", at(e.at_ns))); break;
      case EventKind::verdict:
        mark(0, "verdict", x, e.text);
        width_ = x + 1;
        break;
      case EventKind::run:
      case EventKind::park: break;  // slices only
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
  EventSlices slices_;                          // the bars still open at draw()'s event
  std::vector<std::pair<std::int64_t, std::int64_t>> ticks_;  // (x, virtual ns)
  std::string axis_, grid_;
};

}  // namespace

std::string timeline_html(const EventLog& log) {
  if (log.events().empty()) return "<p>No events were recorded.</p>\n";
  return Timeline(log).html();
}

}  // namespace lockstep::sim::detail
