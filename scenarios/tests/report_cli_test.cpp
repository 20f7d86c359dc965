// `lockstep-scenarios report NAME TOKEN -o FILE`: the replayed schedule as
// one HTML page (sim/html_report.hpp), the status as replay's, bad input as
// every command's; and the largest scenario's page stays small.

#include "scenarios/tests/cli_support.hpp"
#include "scenarios/tests/support.hpp"

using namespace lockstep::scenarios;
using namespace lockstep::scenarios::test;

TEST_CASE("cli: report writes the replayed schedule as one HTML page", "[cli][html_report]") {
  ScratchDir dir("report-cli");
  const std::string path = dir.file("backoff.html");
  auto r = cli({"report", "mistakes/unbounded_backoff", "lockstep1:fifo:seed=0", "-o", path.c_str()});
  CHECK(r.status == kExitHeld);
  CHECK(r.err.empty());
  CHECK(r.out == path + ": liveness: monitor \"quote answered\" hot for 2s since +0s (bound 2s)\n"
                        "ok   mistakes/unbounded_backoff expects liveness, fiber \"quote-handler\" blocked [sleep]\n");
  std::string page = read_text(path);
  CHECK(page.starts_with("<!DOCTYPE html>\n"));
  CHECK(page.find("<pre id=\"replay\">lockstep-scenarios replay mistakes/unbounded_backoff &#39;lockstep1:fifo:seed=0&#39;</pre>") !=
        std::string::npos);
  CHECK(page.find("<div class=\"label\" title=\"fiber 2 &quot;quote-handler&quot;\">") != std::string::npos);
  CHECK(page.ends_with("</body></html>\n"));
}

TEST_CASE("cli: report rejects bad input with one line and status 2", "[cli][html_report]") {
  auto unknown = cli({"report", "nope", "lockstep1:fifo:seed=0", "-o", "x.html"});
  CHECK(unknown.status == kExitUsage);
  CHECK(unknown.err == "lockstep-scenarios: unknown scenario \"nope\" (see `list`)\n");
  auto malformed = cli({"report", "mistakes/unbounded_backoff", "lockstep1:dfs:seed=1", "-o", "x.html"});
  CHECK(malformed.status == kExitUsage);
  CHECK(malformed.err == "lockstep-scenarios: malformed replay token \"lockstep1:dfs:seed=1\": unknown strategy \"dfs\" (expected fifo, random, pct, replay or pos)\n");
  auto no_out = cli({"report", "mistakes/unbounded_backoff", "lockstep1:fifo:seed=0"});
  CHECK(no_out.status == kExitUsage);
  CHECK(no_out.err == "lockstep-scenarios: --out is required (see --help)\n");
  auto unwritable = cli({"report", "mistakes/unbounded_backoff", "lockstep1:fifo:seed=0", "-o", "/nonexistent/r.html"});
  CHECK(unwritable.status == kExitUsage);
  CHECK_THAT(unwritable.err, Catch::Contains("cannot write the HTML report to \"/nonexistent/r.html\""));
}

// The largest scenario of the catalog: its page stays under 300 KiB.
TEST_CASE("cli: report of service/dispatch stays under 300 KiB", "[cli][html_report]") {
  ScratchDir dir("report-cli");
  const std::string path = dir.file("dispatch.html");
  auto r = cli({"report", "service/dispatch", "lockstep1:random:seed=1", "-o", path.c_str()});
  CHECK(r.status == kExitHeld);
  std::string page = read_text(path);
  CHECK(page.size() > 10 * 1024);
  CHECK(page.size() < 300 * 1024);
}
