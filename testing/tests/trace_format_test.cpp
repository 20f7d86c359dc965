// The trace export (sim/trace.hpp) against the trace-event format that
// Perfetto and chrome://tracing read (the "Trace Event Format" document):
// for real failing runs, every event is checked for the fields its phase
// requires and their types, and the file as a whole for what the viewers
// assume: metadata naming every track, timestamps in file order, and slices
// on one track that nest or follow each other, never half-overlap (Perfetto
// drops a misnested slice).
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "lockstep.hpp"

using namespace std::chrono_literals;
namespace sim = lockstep::sim;
using nlohmann::json;

namespace {

// problems() lists every way `trace` departs from the format; empty if none.
std::vector<std::string> problems(const json& trace) {
  std::vector<std::string> out;
  auto bad = [&](std::size_t i, const std::string& what) { out.push_back(fmt::format("event {}: {}", i, what)); };
  if (!trace.is_object() || !trace.contains("traceEvents") || !trace["traceEvents"].is_array())
    return {"the top level is not an object with a traceEvents array"};
  if (trace.contains("displayTimeUnit") && trace["displayTimeUnit"] != "ns" && trace["displayTimeUnit"] != "ms")
    out.push_back("displayTimeUnit is neither ns nor ms");
  std::set<std::int64_t> named_tracks;
  std::set<std::int64_t> used_tracks;
  // By tid: (ts, end) in ns, rounded: the file's µs with 3 decimals are exact
  // in ns, and comparing doubles would see 0.018 + 0.001 != 0.019.
  std::map<std::int64_t, std::vector<std::pair<std::int64_t, std::int64_t>>> slices;
  double last_ts = 0;
  const json& events = trace["traceEvents"];
  for (std::size_t i = 0; i < events.size(); ++i) {
    const json& e = events[i];
    if (!e.is_object()) { bad(i, "not an object"); continue; }
    for (const char* field : {"ph", "name"})
      if (!e.contains(field) || !e[field].is_string()) bad(i, fmt::format("no string \"{}\"", field));
    for (const char* field : {"pid", "tid"})
      if (!e.contains(field) || !e[field].is_number_integer()) bad(i, fmt::format("no integer \"{}\"", field));
    if (e.contains("args") && !e["args"].is_object()) bad(i, "args is not an object");
    if (!out.empty() && out.back().starts_with(fmt::format("event {}:", i))) continue;
    std::string ph = e["ph"];
    std::int64_t tid = e["tid"];
    if (ph == "M") {
      std::string name = e["name"];
      if (name == "thread_name" || name == "process_name") {
        if (!e.contains("args") || !e["args"].contains("name") || !e["args"]["name"].is_string())
          bad(i, name + " without a string args.name");
        else if (name == "thread_name")
          named_tracks.insert(tid);
      } else if (name == "thread_sort_index") {
        if (!e.contains("args") || !e["args"].contains("sort_index") || !e["args"]["sort_index"].is_number_integer())
          bad(i, "thread_sort_index without an integer args.sort_index");
      } else {
        bad(i, "unknown metadata " + name);
      }
      continue;
    }
    used_tracks.insert(tid);
    if (!e.contains("ts") || !e["ts"].is_number() || e["ts"].get<double>() < 0) { bad(i, "no ts >= 0"); continue; }
    double ts = e["ts"];
    if (ts < last_ts) bad(i, fmt::format("ts {} before the previous event's {}", ts, last_ts));
    last_ts = ts;
    if (ph == "X") {
      if (!e.contains("dur") || !e["dur"].is_number() || e["dur"].get<double>() < 0) bad(i, "an X without dur >= 0");
      else slices[tid].push_back({std::llround(ts * 1000), std::llround((ts + e["dur"].get<double>()) * 1000)});
    } else if (ph == "i" || ph == "I") {
      if (e.contains("s") && e["s"] != "t" && e["s"] != "p" && e["s"] != "g") bad(i, "instant scope not t, p or g");
    } else {
      bad(i, "phase " + ph + " is not one the export documents (X, i, M)");
    }
  }
  for (std::int64_t tid : used_tracks)
    if (!named_tracks.contains(tid)) out.push_back(fmt::format("track {} has no thread_name", tid));
  for (auto& [tid, list] : slices) {
    std::vector<std::int64_t> open_ends;  // a stack of enclosing slices' ends
    for (auto [ts, end] : list) {
      while (!open_ends.empty() && open_ends.back() <= ts) open_ends.pop_back();
      if (!open_ends.empty() && end > open_ends.back())
        out.push_back(fmt::format("track {}: slice [{}, {}] ns half-overlaps one ending at {} ns", tid, ts, end,
                                  open_ends.back()));
      open_ends.push_back(end);
    }
  }
  return out;
}

json traced(void (*body)(), sim::Verdict expected, const std::string& path) {
  sim::Options o;
  o.trace_path = path;
  o.strategy = sim::Strategy::random();
  o.seed = 3;
  auto report = sim::run([body] { body(); }, o);
  REQUIRE(report.verdict == expected);
  std::ifstream in(path);
  REQUIRE(in.good());
  json j = json::parse(in);
  std::remove(path.c_str());
  return j;
}

// An AB-BA deadlock among workers that also talk over a channel and a timer.
void ab_ba_with_traffic() {
  lockstep::Mutex a, b;
  lockstep::Chan<int> ch(1);
  lockstep::WaitGroup wg;
  wg.add(2);
  lockstep::go("ab", [&] {
    a.lock();
    ch.send(1);
    lockstep::sleep(1s);
    b.lock();
  });
  lockstep::go("ba", [&] {
    b.lock();
    (void)ch.recv();
    lockstep::sleep(1s);
    a.lock();
  });
  lockstep::Timer t(500ms);
  (void)t.chan().recv();
  wg.wait();
}

void slow_answer() {
  sim::Monitor answered("answered", 2s);
  answered.hot();
  lockstep::Chan<int> reply(0);
  lockstep::go("handler", [reply] {
    lockstep::sleep(40s);
    reply.send(1);
  });
  (void)reply.recv();
  answered.cold();
}

}  // namespace

TEST_CASE("trace format: a deadlock's trace has every field Perfetto and chrome://tracing require",
          "[trace][perfetto]") {
  json trace = traced(&ab_ba_with_traffic, sim::Verdict::deadlock, "trace_format_deadlock.json");
  CHECK(trace["traceEvents"].size() > 30);
  CHECK(problems(trace) == std::vector<std::string>{});
}

TEST_CASE("trace format: a liveness verdict's trace has every field the format requires", "[trace][perfetto]") {
  json trace = traced(&slow_answer, sim::Verdict::liveness, "trace_format_liveness.json");
  CHECK(problems(trace) == std::vector<std::string>{});
}

// The checker itself: each rule fails on an event that breaks it.
TEST_CASE("trace format: the checker names each missing field and a half-overlap", "[trace][perfetto]") {
  json t = json::parse(R"({"traceEvents":[
    {"ph":"M","pid":1,"tid":1,"name":"thread_name","args":{"name":"a"}},
    {"ph":"X","pid":1,"tid":1,"ts":0,"name":"s"},
    {"ph":"i","pid":1,"ts":1,"name":"n"},
    {"ph":"X","pid":1,"tid":1,"ts":2,"dur":4,"name":"x"},
    {"ph":"X","pid":1,"tid":1,"ts":3,"dur":5,"name":"y"},
    {"ph":"i","pid":1,"tid":2,"ts":1,"name":"late"}]})");
  CHECK(problems(t) == std::vector<std::string>{
      "event 1: an X without dur >= 0",
      "event 2: no integer \"tid\"",
      "event 5: ts 1 before the previous event's 3",
      "track 2 has no thread_name",
      "track 1: slice [3000, 8000] ns half-overlaps one ending at 6000 ns",
  });
}
