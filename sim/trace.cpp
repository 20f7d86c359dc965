// Written with fmt rather than a JSON library: the library target stays free
// of a dependency its users would have to find too; the tests parse the
// output back with nlohmann-json.
#include "sim/trace.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <vector>

#include "runtime/clock.hpp"
#include "runtime/misuse.hpp"
#include "sim/event_slices.hpp"
#include "sim/labels.hpp"

namespace lockstep::sim::detail {
namespace {

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        else
          out += c;
    }
  }
  out += '"';
  return out;
}

// Microseconds with three decimals: the trace format's unit, at ns precision.
std::string micros(std::int64_t ns) { return fmt::format("{}.{:03}", ns / 1000, ns % 1000); }

}  // namespace

std::string chrome_trace_json(const EventLog& log) {
  const std::vector<Event>& events = log.events();
  // Pass 1: timestamps (at least 1 ns apart, in order) and slice ends; the
  // verdict ends every slice still open.
  std::vector<std::int64_t> ts(events.size());
  std::vector<std::int64_t> end(events.size(), -1);  // by the event opening a slice
  EventSlices slices;
  std::vector<std::string> names{"scheduler"};  // by fiber id
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    ts[i] = i == 0 ? e.at_ns : std::max(e.at_ns, ts[i - 1] + 1);
    auto ends_here = [&](std::size_t opened) { end[opened] = ts[i]; };
    slices.step(i, e, ends_here);
    if (e.kind == EventKind::verdict) slices.close_blocked(ends_here);
    if (e.kind == EventKind::spawn) {
      if (names.size() <= e.other) names.resize(e.other + 1);
      names[e.other] = e.text.empty() ? fmt::format("fiber {}", e.other) : e.text;
    }
  }
  // Pass 2: metadata, then every event in order.
  std::string out = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  out += R"({"ph":"M","pid":1,"tid":0,"name":"process_name","args":{"name":"lockstep simulation"}})";
  for (std::size_t id = 0; id < names.size(); ++id) {
    out += fmt::format(",\n{{\"ph\":\"M\",\"pid\":1,\"tid\":{},\"name\":\"thread_name\",\"args\":{{\"name\":{}}}}}",
                       id, quote(names[id]));
    out += fmt::format(",\n{{\"ph\":\"M\",\"pid\":1,\"tid\":{},\"name\":\"thread_sort_index\",\"args\":{{\"sort_index\":{}}}}}",
                       id, id);
  }
  auto emit = [&](std::size_t i, std::uint64_t tid, std::string_view name, std::string_view extra,
                  std::string args) {
    out += fmt::format(",\n{{\"ph\":{},\"pid\":1,\"tid\":{},\"ts\":{},\"name\":{},\"args\":{{\"vt\":{}{}}}}}",
                       extra, tid, micros(ts[i]), quote(name),
                       quote(fmt::format("+{}", format_duration(Duration{events[i].at_ns}))), args);
  };
  auto instant = [&](std::size_t i, std::uint64_t tid, std::string_view name, std::string args) {
    emit(i, tid, name, "\"i\",\"s\":\"t\"", std::move(args));
  };
  auto slice = [&](std::size_t i, std::uint64_t tid, std::string_view name, std::string args) {
    emit(i, tid, name, fmt::format("\"X\",\"dur\":{}", micros(end[i] - ts[i])), std::move(args));
  };
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    switch (e.kind) {
      case EventKind::spawn:
        instant(i, e.fiber, "spawn", fmt::format(",\"fiber\":{},\"name\":{}", e.other, quote(e.text)));
        break;
      case EventKind::run: slice(i, e.fiber, "running", ""); break;
      case EventKind::park: {
        std::string args = fmt::format(",\"reason\":{},\"object\":{}", quote(e.reason), quote(e.text));
        slice(i, e.fiber, blocked_name(e), args);
        instant(i, e.fiber, "park", args);
        break;
      }
      case EventKind::ready:
        instant(i, e.fiber, fmt::format("ready {}", e.other),
                fmt::format(",\"fiber\":{},\"reason\":{},\"object\":{}", e.other, quote(e.reason),
                            quote(e.text)));
        break;
      case EventKind::exit: instant(i, e.fiber, "exit", ""); break;
      case EventKind::decide:
        instant(i, e.fiber, fmt::format("decide {} of {}", e.chosen, e.alternatives),
                fmt::format(",\"chosen\":{},\"alternatives\":{}", e.chosen, e.alternatives));
        break;
      case EventKind::timer:
        instant(i, 0, e.other == ~std::uint64_t{0} ? "timer fired on add" : fmt::format("timer #{} fired", e.other),
                "");
        break;
      case EventKind::advance: instant(i, 0, "time advance", ""); break;
      case EventKind::verdict:
        emit(i, 0, "verdict", "\"i\",\"s\":\"g\"", fmt::format(",\"message\":{}", quote(e.text)));
        break;
    }
  }
  out += "\n]}\n";
  return out;
}

void write_chrome_trace(const EventLog& log, const std::string& path, SourceLocation where) {
  write_text_file(chrome_trace_json(log), path, "the trace", where);
}

void write_text_file(const std::string& text, const std::string& path, const char* what, SourceLocation where) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  bool ok = f != nullptr && std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (f != nullptr) ok = std::fclose(f) == 0 && ok;
  if (!ok) lockstep::detail::fail_misuse(fmt::format("cannot write {} to \"{}\"", what, path), nullptr, where);
}

}  // namespace lockstep::sim::detail
