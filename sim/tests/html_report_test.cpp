// The HTML report (sim/html_report.hpp): pages of small stuck programs, with
// the parts a reader and the browser test rely on asserted exactly: the
// cycle's fibers and objects in the SVG, one timeline row per fiber, bars
// titled with the wait reason, object and virtual times, escaping of user
// text, nothing fetched from the network, and the same bytes on every run.
// With LOCKSTEP_HTML_REPORT set, the AB-BA page is also written there (the
// browser test, sim/tests/html_report_browser.sh, opens it in Chromium).
#include <catch2/catch.hpp>

#include <cstdlib>

#include "lockstep.hpp"
#include "sim/html_report.hpp"
#include "sim/trace.hpp"

using namespace std::chrono_literals;
using namespace lockstep;

namespace {

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// ab_ba() deadlocks two fibers on two mutexes taken in opposite orders; the
// second fiber's name is hostile HTML.
void ab_ba() {
  Mutex a, b;
  WaitGroup wg;
  wg.add(2);
  go("ab", [&] {
    a.lock();
    sleep(1s);
    b.lock();
  });
  go("ba</script><b x='1'>&", [&] {
    b.lock();
    sleep(1s);
    a.lock();
  });
  wg.wait();
}

std::string ab_ba_page() {
  sim::RecordedRun run = sim::run_recorded([] { ab_ba(); }, {});
  REQUIRE(run.report.verdict == sim::Verdict::deadlock);
  return sim::html_report(run, {"ab_ba <test>", "LOCKSTEP_REPLAY='lockstep1:fifo:seed=0' ./sim_tests 'ab_ba'"});
}

}  // namespace

TEST_CASE("html report: html_escape escapes the five characters HTML gives a meaning", "[html_report]") {
  CHECK(sim::detail::html_escape("a<b>&\"c'd") == "a&lt;b&gt;&amp;&quot;c&#39;d");
  CHECK(sim::detail::html_escape("plain") == "plain");
}

TEST_CASE("html report: an AB-BA deadlock page names the cycle, one timeline row per fiber", "[html_report]") {
  std::string page = ab_ba_page();
  CHECK(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                         "<title>lockstep: deadlock in ab_ba &lt;test&gt;</title>"));
  CHECK(occurrences(page, "<span class=\"verdict\" id=\"verdict\">deadlock</span>") == 1);
  CHECK(occurrences(page, "<pre id=\"replay\">LOCKSTEP_REPLAY=&#39;lockstep1:fifo:seed=0&#39; ./sim_tests &#39;ab_ba&#39;</pre>") == 1);
  // The graph: the cycle's two fibers and two mutexes, red; main off the ring.
  const std::string hostile = "fiber 3 &quot;ba&lt;/script&gt;&lt;b x=&#39;1&#39;&gt;&amp;&quot;";
  CHECK(occurrences(page, "<g class=\"node fiber cycle\">") == 2);
  CHECK(occurrences(page, "<g class=\"node object cycle\">") == 2);
  CHECK(occurrences(page, ">fiber 2 &quot;ab&quot;</text>") == 1);
  CHECK(occurrences(page, ">" + hostile + "</text>") == 1);
  CHECK(occurrences(page, ">mutex #1</text>") == 1);
  CHECK(occurrences(page, "<g class=\"node fiber\">") == 1);  // main, waiting on the WaitGroup
  CHECK(occurrences(page, "<g class=\"edge cycle\">") == 4);  // 2 waits + 2 holds
  // The timeline: the scheduler, then main, ab, ba.
  CHECK(occurrences(page, "class=\"scheduler-row\"") == 1);
  CHECK(occurrences(page, "class=\"fiber-row\"") == 3);
  CHECK(occurrences(page, "<div class=\"label\" title=\"" + hostile + "\">" + hostile + "</div>") == 1);
  CHECK(occurrences(page, "<title>sync.Mutex.Lock on mutex #1 held by fiber 2: +1s, still blocked at the end</title>") == 1);
  CHECK(occurrences(page, "<span style=\"left:") == 2);  // +0s and +1s
  // User text never reaches the page unescaped, and nothing is fetched.
  CHECK(page.find("ba</script>") == std::string::npos);
  CHECK(page.find("http") == std::string::npos);
  CHECK(page.find("src=") == std::string::npos);
  CHECK(occurrences(page, "<script>") == 1);
  CHECK(ab_ba_page() == page);  // the same bytes on every run
  if (const char* out = std::getenv("LOCKSTEP_HTML_REPORT"); out != nullptr && *out != '\0')
    sim::detail::write_text_file(page, out, "the HTML report", SourceLocation::current());
}

TEST_CASE("html report: the timeline's bars and marks say what happened, at which virtual time", "[html_report]") {
  sim::RecordedRun run = sim::run_recorded(
      [] {
        Chan<int> ch(0);
        go("worker", [ch] { ch.recv(); });
        sleep(1s);
        ch.send(7);
      },
      {});
  REQUIRE(run.report.passed());
  CHECK(run.report.graph.empty());  // the wait-for graph is built for deadlocks and leaks only
  std::string page = sim::html_report(run, {"hand-off", "(none)"});
  CHECK(occurrences(page, "<title>chan receive on chan&lt;int&gt; #1 cap=0 len=0: +0s to +1s</title>") == 1);
  CHECK(occurrences(page, "<title>sleep: +0s to +1s</title>") == 1);
  CHECK(occurrences(page, "<title>readies fiber 2 &quot;worker&quot; [chan receive on chan&lt;int&gt; #1 cap=0 len=0]</title>") == 1);
  CHECK(occurrences(page, "<title>virtual time moves to +1s</title>") == 1);
  CHECK(occurrences(page, "<title>spawns fiber 2 &quot;worker&quot;</title>") == 1);
  CHECK(occurrences(page, "<title>passed</title>") == 1);  // the verdict mark
  CHECK(occurrences(page, "class=\"fiber-row\"") == 2);
  CHECK(occurrences(page, "<p>No wait-for graph: it is built for deadlock and leak verdicts, and this run ended in passed.</p>") == 1);
  CHECK(occurrences(page, "<pre id=\"dump\"></pre>") == 1);
}

TEST_CASE("html report: a liveness verdict's page has its message and dump, and no graph", "[html_report][liveness]") {
  sim::RecordedRun run = sim::run_recorded(
      [] {
        sim::Monitor m("answered", 2s);
        m.hot();
        sleep(5s);
      },
      {});
  REQUIRE(run.report.verdict == sim::Verdict::liveness);
  std::string page = sim::html_report(run, {"slow", ""});
  CHECK(occurrences(page, "<p class=\"mono\" id=\"message\">liveness: monitor &quot;answered&quot; hot for 2s since +0s (bound 2s)</p>") == 1);
  CHECK(occurrences(page, "this run ended in liveness.</p>") == 1);
  CHECK(occurrences(page, "  fiber 1 &quot;main&quot; since +0s\n") == 1);
}

// A long run (a livelock runs to its budget) draws only its last 2000 events
// and says so; the page stays small.
TEST_CASE("html report: a long run's timeline shows its last 2000 events and says so", "[html_report]") {
  sim::RecordedRun run = sim::run_recorded(
      [] {
        for (int i = 0; i < 1000; ++i) sleep(1ms);
      },
      {});
  REQUIRE(run.report.passed());
  REQUIRE(run.log.events().size() == 5004);  // spawn, run; per sleep: park, advance, timer, ready, run; exit, verdict
  std::string page = sim::html_report(run, {"sleeper", ""});
  CHECK(occurrences(page, "<p id=\"timeline-window\">The last 2000 of 5004 events, from +601ms; the whole run is "
                          "in the trace export (LOCKSTEP_TRACE, Perfetto).</p>") == 1);
  CHECK(occurrences(page, "<title>virtual time moves to +601ms</title>") == 0);  // event 3003, before the window
  CHECK(occurrences(page, "<title>virtual time moves to +602ms</title>") == 1);
  CHECK(page.size() < 300 * 1024);
}
