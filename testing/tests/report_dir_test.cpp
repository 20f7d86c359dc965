// LOCKSTEP_REPORT_DIR (testing/catch.hpp): a failing case writes its failing
// schedule as one HTML page into that folder, named after the test, and its
// failure text names the file; a passing case writes nothing. Driven through
// run_test()/run_fuzz(), as catch_test.cpp does, so the failures do not fail
// the suite.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "lockstep.hpp"
#include "testing/catch.hpp"

namespace lt = lockstep::testing;

namespace {

void stuck() {
  lockstep::Chan<int> never(0);
  lockstep::go("sender", [never] { never.send(1); });
  lockstep::WaitGroup wg;
  wg.add(1);
  wg.wait();
}

std::string read_and_remove(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  std::remove(path.c_str());
  return text.str();
}

// Sets LOCKSTEP_REPORT_DIR for one test, pass or fail.
struct ReportDir {
  ReportDir() { ::setenv("LOCKSTEP_REPORT_DIR", ".", 1); }
  ~ReportDir() { ::unsetenv("LOCKSTEP_REPORT_DIR"); }
};

}  // namespace

TEST_CASE("catch: LOCKSTEP_REPORT_DIR writes a failing case's HTML report and names it", "[catch][html_report]") {
  ReportDir dir;
  const std::string path = "./catch__LOCKSTEP_REPORT_DIR_writes_a_failing_case_s_HTML_report_and_names_it.html";
  std::string text = lt::run_fuzz([] { stuck(); }, {.schedules = 3});
  CHECK_THAT(text, Catch::StartsWith("schedule 1 of 3 failed (self-checked):\nlockstep: deadlock:"));
  CHECK_THAT(text, Catch::EndsWith("'\nHTML report: " + path + "\n"));
  std::string page = read_and_remove(path);
  CHECK_THAT(page, Catch::StartsWith("<!DOCTYPE html>\n"));
  CHECK_THAT(page, Catch::Contains("<p class=\"mono\" id=\"message\">deadlock: all fibers are blocked and no timer is pending</p>"));
  CHECK_THAT(page, Catch::Contains("<pre id=\"replay\">LOCKSTEP_REPLAY=&#39;lockstep1:random:seed=0&#39; "));
  CHECK_THAT(page, Catch::Contains(">fiber 2 &quot;sender&quot;</text>"));
}

TEST_CASE("catch: LOCKSTEP_REPORT_DIR: a passing case writes nothing", "[catch][html_report]") {
  ReportDir dir;
  CHECK(lt::run_test([] {}, {}).empty());
  std::ifstream file("./catch__LOCKSTEP_REPORT_DIR__a_passing_case_writes_nothing.html");
  CHECK_FALSE(file.good());
}

TEST_CASE("catch: a report's file name keeps letters, digits, '.', '-' and '_' only", "[catch][html_report]") {
  CHECK(lt::detail::report_file("out", "queue: drains, then closes/1.5-x_y") == "out/queue__drains__then_closes_1.5-x_y.html");
}
