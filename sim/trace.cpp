// Written with fmt rather than a JSON library: the library target stays free
// of a dependency its users would have to find too; the tests parse the
// output back with nlohmann-json.
#include "sim/trace.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <optional>
#include <vector>

#include "runtime/clock.hpp"
#include "runtime/misuse.hpp"

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

std::string blocked_name(const Event& park) {
  return park.text.empty() ? std::string{park.reason} : fmt::format("{} on {}", park.reason, park.text);
}

// Slices: where each one ends, keyed by the index of the event that opens it
// (a run opens "running", a park opens the blocked slice).
struct Slices {
  std::vector<std::int64_t> end;  // by opening event; -1 if that event opens none
  std::optional<std::size_t> running;
  std::vector<std::optional<std::size_t>> blocked;  // by fiber id

  void close(std::optional<std::size_t>& open, std::int64_t at) {
    if (open) end[*open] = at;
    open.reset();
  }
  std::optional<std::size_t>& blocked_of(std::uint64_t fiber) {
    if (blocked.size() <= fiber) blocked.resize(fiber + 1);
    return blocked[fiber];
  }
};

}  // namespace

std::string chrome_trace_json(const EventLog& log) {
  const std::vector<Event>& events = log.events();
  // Pass 1: timestamps (at least 1 ns apart, in order) and slice ends.
  std::vector<std::int64_t> ts(events.size());
  Slices s{std::vector<std::int64_t>(events.size(), -1), std::nullopt, {}};
  std::vector<std::string> names{"scheduler"};  // by fiber id
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    ts[i] = i == 0 ? e.at_ns : std::max(e.at_ns, ts[i - 1] + 1);
    switch (e.kind) {
      case EventKind::spawn:
        if (names.size() <= e.other) names.resize(e.other + 1);
        names[e.other] = e.text.empty() ? fmt::format("fiber {}", e.other) : e.text;
        break;
      case EventKind::run:
        s.close(s.running, ts[i]);
        s.running = i;
        break;
      case EventKind::park:
        s.close(s.running, ts[i]);
        s.blocked_of(e.fiber) = i;
        break;
      case EventKind::ready: s.close(s.blocked_of(e.other), ts[i]); break;
      case EventKind::exit: s.close(s.running, ts[i]); break;
      case EventKind::verdict:
        s.close(s.running, ts[i]);
        for (auto& b : s.blocked) s.close(b, ts[i]);
        break;
      default: break;
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
    emit(i, tid, name, fmt::format("\"X\",\"dur\":{}", micros(s.end[i] - ts[i])), std::move(args));
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
