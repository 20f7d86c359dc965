// Trace export: runs written as Chrome trace-event JSON, parsed back with
// nlohmann-json and asserted event by event (ts, duration, track, name and
// every argument), so any change to the format or to the event stream shows.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "lockstep.hpp"

using namespace std::chrono_literals;
namespace sim = lockstep::sim;
using nlohmann::json;

namespace {

json read_json(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  json j = json::parse(in);
  in.close();
  std::remove(path.c_str());
  return j;
}

// One line per event: "<ph> <tid> <ts>[+<dur>] <name> <args>" (µs, 3 decimals;
// nlohmann prints args with sorted keys).
std::vector<std::string> lines(const json& trace, bool metadata = false) {
  std::vector<std::string> out;
  for (const json& e : trace.at("traceEvents")) {
    std::string ph = e.at("ph");
    if ((ph == "M") != metadata) continue;
    std::string when = ph == "M" ? "" : fmt::format(" {:.3f}", e.at("ts").get<double>());
    if (ph == "X") when += fmt::format("+{:.3f}", e.at("dur").get<double>());
    out.push_back(fmt::format("{} {}{} {} {}", ph, e.at("tid").get<int>(), when,
                              e.at("name").get<std::string>(), e.at("args").dump()));
  }
  return out;
}

void hand_off() {
  lockstep::Chan<int> ch(0);
  lockstep::go("worker", [ch] { ch.recv(); });
  lockstep::sleep(1s);
  ch.send(7);
}

}  // namespace

// A fiber parks on a channel, main sleeps a virtual second and hands it a
// value: every slice, instant and virtual time is as documented in trace.hpp.
TEST_CASE("trace: a channel hand-off, event by event", "[trace]") {
  sim::Options o;
  o.trace_path = "trace_test_handoff.json";
  auto report = sim::run([] { hand_off(); }, o);
  REQUIRE(report.passed());
  json trace = read_json(o.trace_path);
  CHECK(trace.at("displayTimeUnit") == "ns");
  CHECK(lines(trace, true) == std::vector<std::string>{
      R"(M 0 process_name {"name":"lockstep simulation"})",
      R"(M 0 thread_name {"name":"scheduler"})",
      R"(M 0 thread_sort_index {"sort_index":0})",
      R"(M 1 thread_name {"name":"main"})",
      R"(M 1 thread_sort_index {"sort_index":1})",
      R"(M 2 thread_name {"name":"worker"})",
      R"(M 2 thread_sort_index {"sort_index":2})",
  });
  CHECK(lines(trace) == std::vector<std::string>{
      R"(i 0 0.000 spawn {"fiber":1,"name":"main","vt":"+0s"})",
      R"(X 1 0.001+0.003 running {"vt":"+0s"})",
      R"(i 1 0.002 spawn {"fiber":2,"name":"worker","vt":"+0s"})",
      R"(i 1 0.003 decide 0 of 2 {"alternatives":2,"chosen":0,"vt":"+0s"})",
      R"(X 1 0.004+999999.998 sleep {"object":"","reason":"sleep","vt":"+0s"})",
      R"(i 1 0.004 park {"object":"","reason":"sleep","vt":"+0s"})",
      R"(X 2 0.005+0.001 running {"vt":"+0s"})",
      R"(X 2 0.006+999999.998 chan receive on chan<int> #1 cap=0 len=0 {"object":"chan<int> #1 cap=0 len=0","reason":"chan receive","vt":"+0s"})",
      R"(i 2 0.006 park {"object":"chan<int> #1 cap=0 len=0","reason":"chan receive","vt":"+0s"})",
      R"(i 0 1000000.000 time advance {"vt":"+1s"})",
      R"(i 0 1000000.001 timer #0 fired {"vt":"+1s"})",
      R"(i 0 1000000.002 ready 1 {"fiber":1,"object":"","reason":"sleep","vt":"+1s"})",
      R"(X 1 1000000.003+0.002 running {"vt":"+1s"})",
      R"(i 1 1000000.004 ready 2 {"fiber":2,"object":"chan<int> #1 cap=0 len=0","reason":"chan receive","vt":"+1s"})",
      R"(i 1 1000000.005 exit {"vt":"+1s"})",
      R"(X 2 1000000.006+0.001 running {"vt":"+1s"})",
      R"(i 2 1000000.007 exit {"vt":"+1s"})",
      R"(i 0 1000000.008 verdict {"message":"passed","vt":"+1s"})",
  });
}

// A deadlock: the blocked slices still open at the verdict end there, and
// the verdict is a global instant carrying the report's message.
TEST_CASE("trace: slices still open at a deadlock end at the verdict", "[trace]") {
  sim::Options o;
  o.trace_path = "trace_test_deadlock.json";
  auto report = sim::run([] { lockstep::Chan<int> ch(0); ch.recv(); }, o);
  REQUIRE(report.verdict == sim::Verdict::deadlock);
  CHECK(lines(read_json(o.trace_path)) == std::vector<std::string>{
      R"(i 0 0.000 spawn {"fiber":1,"name":"main","vt":"+0s"})",
      R"(X 1 0.001+0.001 running {"vt":"+0s"})",
      R"(X 1 0.002+0.001 chan receive on chan<int> #1 cap=0 len=0 {"object":"chan<int> #1 cap=0 len=0","reason":"chan receive","vt":"+0s"})",
      R"(i 1 0.002 park {"object":"chan<int> #1 cap=0 len=0","reason":"chan receive","vt":"+0s"})",
      R"(i 0 0.003 verdict {"message":"deadlock: all fibers are blocked and no timer is pending","vt":"+0s"})",
  });
}

// sim::wait() parks with no ready (the scheduler resumes the waiter once the
// worker blocks): its blocked slice ends where main runs again, not at the
// verdict (as it did when only a ready closed a blocked slice).
TEST_CASE("trace: a sim::wait() slice ends when the waiter runs again", "[trace]") {
  sim::Options o;
  o.trace_path = "trace_test_wait.json";
  auto report = sim::run([] {
    lockstep::Chan<int> ch(0);
    lockstep::go("worker", [ch] { ch.recv(); });
    sim::wait();
    ch.send(7);
  }, o);
  REQUIRE(report.passed());
  CHECK(lines(read_json(o.trace_path)) == std::vector<std::string>{
      R"(i 0 0.000 spawn {"fiber":1,"name":"main","vt":"+0s"})",
      R"(X 1 0.001+0.003 running {"vt":"+0s"})",
      R"(i 1 0.002 spawn {"fiber":2,"name":"worker","vt":"+0s"})",
      R"(i 1 0.003 decide 0 of 2 {"alternatives":2,"chosen":0,"vt":"+0s"})",
      R"(X 1 0.004+0.003 lockstep.sim.wait {"object":"","reason":"lockstep.sim.wait","vt":"+0s"})",
      R"(i 1 0.004 park {"object":"","reason":"lockstep.sim.wait","vt":"+0s"})",
      R"(X 2 0.005+0.001 running {"vt":"+0s"})",
      R"(X 2 0.006+0.002 chan receive on chan<int> #1 cap=0 len=0 {"object":"chan<int> #1 cap=0 len=0","reason":"chan receive","vt":"+0s"})",
      R"(i 2 0.006 park {"object":"chan<int> #1 cap=0 len=0","reason":"chan receive","vt":"+0s"})",
      R"(X 1 0.007+0.002 running {"vt":"+0s"})",
      R"(i 1 0.008 ready 2 {"fiber":2,"object":"chan<int> #1 cap=0 len=0","reason":"chan receive","vt":"+0s"})",
      R"(i 1 0.009 exit {"vt":"+0s"})",
      R"(X 2 0.010+0.001 running {"vt":"+0s"})",
      R"(i 2 0.011 exit {"vt":"+0s"})",
      R"(i 0 0.012 verdict {"message":"passed","vt":"+0s"})",
  });
}

// LOCKSTEP_TRACE turns the trace on for a run whose options leave it off;
// an explicit trace_path wins over it.
TEST_CASE("trace: LOCKSTEP_TRACE names the file when the options do not", "[trace]") {
  ::setenv("LOCKSTEP_TRACE", "trace_test_env.json", 1);
  auto report = sim::run([] { hand_off(); });
  sim::Options o;
  o.trace_path = "trace_test_explicit.json";
  auto explicit_report = sim::run([] {}, o);
  ::unsetenv("LOCKSTEP_TRACE");
  REQUIRE(report.passed());
  CHECK(lines(read_json("trace_test_env.json")).size() == 18);
  CHECK(lines(read_json("trace_test_explicit.json")).size() == 4);
}

TEST_CASE("trace: an unwritable path is misuse naming it", "[trace]") {
  sim::Options o;
  o.trace_path = "no-such-dir/trace.json";
  CHECK_THROWS_WITH(sim::run([] {}, o),
                    Catch::Contains("cannot write the trace to \"no-such-dir/trace.json\""));
}
