// The runner's command line, called as a function: bad input is a one-line
// message and status 2; a run prints per scenario what was explored and
// found, and its status says whether every expectation held.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "lockstep_version.hpp"
#include "scenarios/cli.hpp"
#include "scenarios/tests/cli_support.hpp"

using namespace lockstep::scenarios;
using lockstep::scenarios::test::cli;

TEST_CASE("cli: bad input: a clear message and status 2", "[cli]") {
  auto unknown = cli({"run", "mistakes/nope"});
  CHECK(unknown.status == kExitUsage);
  CHECK(unknown.err == "lockstep-scenarios: unknown scenario \"mistakes/nope\" (see `list`)\n");
  CHECK(unknown.out.empty());

  auto group = cli({"run", "nope/"});
  CHECK(group.status == kExitUsage);
  CHECK(group.err == "lockstep-scenarios: unknown scenario \"nope/\" (see `list`)\n");

  auto strategy = cli({"run", "--strategy", "bfs"});
  CHECK(strategy.status == kExitUsage);
  CHECK(strategy.err.starts_with("lockstep-scenarios: --strategy: bfs not in {"));

  auto schedules = cli({"run", "--schedules", "many"});
  CHECK(schedules.status == kExitUsage);
  CHECK(schedules.err.starts_with("lockstep-scenarios: "));

  auto flag = cli({"run", "--fast"});
  CHECK(flag.status == kExitUsage);
  CHECK(flag.err == "lockstep-scenarios: The following argument was not expected: --fast (see --help)\n");

  auto none = cli({});
  CHECK(none.status == kExitUsage);
  CHECK(none.err == "lockstep-scenarios: A subcommand is required (see --help)\n");

  auto token = cli({"replay", "mistakes/leak_no_stop", "lockstep1:dfs:seed=1"});
  CHECK(token.status == kExitUsage);
  CHECK(token.err ==
        "lockstep-scenarios: malformed replay token \"lockstep1:dfs:seed=1\": unknown strategy \"dfs\" (expected fifo, "
        "random, pct, replay or pos)\n");

  auto missing = cli({"replay", "mistakes/leak_no_stop"});
  CHECK(missing.status == kExitUsage);
  CHECK(missing.err == "lockstep-scenarios: token is required (see --help)\n");
}

TEST_CASE("cli: list names every scenario with its expectation", "[cli]") {
  auto listed = cli({"list"});
  CHECK(listed.status == kExitHeld);
  CHECK(listed.out.find("mistakes/leak_no_stop ") != std::string::npos);
  CHECK(listed.out.find("  expects leak, fiber \"position-poller\" blocked [sleep]\n") != std::string::npos);
  CHECK(listed.out.find("service/dispatch ") != std::string::npos);
}

TEST_CASE("cli: run reports schedules, verdicts, the first failure's token and dump", "[cli]") {
  auto run = cli({"run", "mistakes/missing_receiver", "--strategy", "random", "--schedules", "5", "--seed", "3"});
  CHECK(run.status == kExitHeld);
  CHECK(run.out.starts_with(
      "ok   mistakes/missing_receiver  expects deadlock, fiber \"route-planner\" blocked [chan send]\n"
      "  5 schedules (random, seed 3): deadlock 5\n"
      "  caught on schedule 1\n"
      "  first failure, schedule 1: deadlock: all fibers are blocked and no timer is pending\n"
      "  replay: lockstep-scenarios replay mistakes/missing_receiver 'lockstep1:random:seed=3'\n"
      "    wait-for graph: no cycle\n"
      "      fiber 1 \"main\" waits for waitgroup #2 (since +0s): no fiber can ever call done on waitgroup #2\n"
      "      fiber 2 \"route-planner\" waits to send on chan<lockstep::scenarios::Route> #1 (since +10ms): "
      "no fiber can ever receive from chan<lockstep::scenarios::Route> #1\n"
      "      fiber 3 \"route-planner\" waits to send on chan<lockstep::scenarios::Route> #1 (since +20ms): "
      "no fiber can ever receive from chan<lockstep::scenarios::Route> #1\n"
      "      fiber 4 \"route-planner\" waits to send on chan<lockstep::scenarios::Route> #1 (since +30ms): "
      "no fiber can ever receive from chan<lockstep::scenarios::Route> #1\n"
      "    goroutine dump at +30ms (2000-01-01T00:00:00.03Z): 4 fibers in 2 groups\n"));
  CHECK(run.out.ends_with("green: 1 of 1 scenarios as expected (5 per scenario, random, seed 3)\n"));
}

TEST_CASE("cli: run's default strategy is the portfolio, whose tokens name its members", "[cli][portfolio]") {
  // Seed 3 runs the portfolio's pct depth 3 member (3 mod 5); its token
  // replays the same failure without the portfolio.
  auto run = cli({"run", "mistakes/missing_receiver", "--schedules", "5", "--seed", "3", "--no-dump"});
  CHECK(run.status == kExitHeld);
  CHECK(run.out.find("  5 schedules (portfolio(random, pct depth 1-3, pos), seed 3): deadlock 5\n") != std::string::npos);
  CHECK(run.out.find("  replay: lockstep-scenarios replay mistakes/missing_receiver "
                     "'lockstep1:pct:seed=3:depth=3:steps=1000'\n") != std::string::npos);
  CHECK(run.out.ends_with(
      "green: 1 of 1 scenarios as expected (5 per scenario, portfolio(random, pct depth 1-3, pos), seed 3)\n"));
  auto replay = cli({"replay", "mistakes/missing_receiver", "lockstep1:pct:seed=3:depth=3:steps=1000"});
  CHECK(replay.status == kExitHeld);
}

TEST_CASE("cli: replay --graph writes the deadlock's wait-for graph as DOT", "[cli][wait_graph]") {
  const std::string path = "cli_test_graph.dot";
  std::remove(path.c_str());
  auto replay = cli({"replay", "mistakes/missing_receiver", "lockstep1:random:seed=3", "--graph", path.c_str()});
  CHECK(replay.status == kExitHeld);
  std::ifstream file(path);
  std::stringstream dot;
  dot << file.rdbuf();
  CHECK(dot.str() ==
        "digraph wait_for {\n"
        "  f1 [shape=box, label=\"fiber 1 \\\"main\\\"\\nblocked [sync.WaitGroup.Wait]\"];\n"
        "  f2 [shape=box, label=\"fiber 2 \\\"route-planner\\\"\\nblocked [chan send]\"];\n"
        "  f3 [shape=box, label=\"fiber 3 \\\"route-planner\\\"\\nblocked [chan send]\"];\n"
        "  f4 [shape=box, label=\"fiber 4 \\\"route-planner\\\"\\nblocked [chan send]\"];\n"
        "  o1 [shape=ellipse, label=\"waitgroup #2 count=3\"];\n"
        "  o2 [shape=ellipse, label=\"chan<lockstep::scenarios::Route> #1 cap=0 len=0\"];\n"
        "  f1 -> o1 [label=\"wait\"];\n"
        "  f2 -> o2 [label=\"send\"];\n"
        "  f3 -> o2 [label=\"send\"];\n"
        "  f4 -> o2 [label=\"send\"];\n"
        "}\n");
  std::remove(path.c_str());
  auto unwritable = cli({"replay", "mistakes/missing_receiver", "lockstep1:random:seed=3", "--graph", "/nonexistent/g.dot"});
  CHECK(unwritable.status == kExitUsage);
  CHECK_THAT(unwritable.err, Catch::Contains("cannot write the wait-for graph to \"/nonexistent/g.dot\""));
}

TEST_CASE("cli: replay reruns the reported schedule and checks the expectation", "[cli]") {
  auto replay = cli({"replay", "mistakes/missing_receiver", "lockstep1:random:seed=3"});
  CHECK(replay.status == kExitHeld);
  CHECK(replay.out.starts_with("lockstep: deadlock: all fibers are blocked and no timer is pending\n"));
  CHECK(replay.out.ends_with("ok   mistakes/missing_receiver expects deadlock, fiber \"route-planner\" blocked [chan send]\n"));
  // A fixed twin replayed passes; its expectation (passed) holds too.
  auto fixed = cli({"replay", "mistakes/missing_receiver_fixed", "lockstep1:pct:seed=7:depth=3:steps=1000"});
  CHECK(fixed.status == kExitHeld);
  CHECK(fixed.out.starts_with("lockstep: passed\n"));
}

TEST_CASE("cli: a run whose expectation fails exits 1", "[cli]") {
  // Under FIFO the store draws no fault, so dropped_error is not caught.
  auto run = cli({"run", "mistakes/dropped_error", "--strategy", "fifo"});
  CHECK(run.status == kExitNotHeld);
  CHECK(run.out ==
        "FAIL mistakes/dropped_error  expects exception, fiber \"main\" running\n"
        "  1 schedule (fifo, seed 1): passed 1\n"
        "  NOT caught: the expected verdict never showed\n"
        "RED: 0 of 1 scenarios as expected (1 per scenario, fifo, seed 1)\n");
}

TEST_CASE("cli: a group prefix runs every scenario under it", "[cli]") {
  auto run = cli({"run", "patterns/", "--schedules", "2", "--strategy", "pct"});
  CHECK(run.status == kExitHeld);
  CHECK(run.out.starts_with("ok   patterns/build_assignment  expects passed\n"
                            "  2 schedules (pct(depth=3, adaptive steps), seed 1): passed 2\n"));
  CHECK(run.out.ends_with("green: 9 of 9 scenarios as expected (2 per scenario, pct(depth=3, adaptive steps), seed 1)\n"));
}

TEST_CASE("cli: --version prints the library's version and exits 0", "[cli]") {
  auto version = cli({"--version"});
  CHECK(version.status == kExitHeld);
  CHECK(version.out == "lockstep " LOCKSTEP_VERSION_STRING "\n");
  CHECK(version.err.empty());
  // Not a command: the subcommand requirement does not apply.
  CHECK(cli({"--version", "list"}).out == "lockstep " LOCKSTEP_VERSION_STRING "\n");
}
