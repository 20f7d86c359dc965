// Proves the wait-for graph (sim/wait_graph.hpp) says who waits for whom:
// each test runs a small stuck program and compares the graph's text (or
// DOT) with the exact expected text, so a change of wording is deliberate.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "lockstep.hpp"

using namespace std::chrono_literals;
using namespace lockstep;

namespace {

// ab_ba() locks two mutexes in opposite orders in two fibers: a deadlock.
void ab_ba() {
  Mutex a, b;
  WaitGroup wg;
  wg.add(2);
  go("ab", [&] {
    a.lock();
    sleep(1s);
    b.lock();
  });
  go("ba", [&] {
    b.lock();
    sleep(1s);
    a.lock();
  });
  wg.wait();
}

}  // namespace

TEST_CASE("wait graph: a mutex holder blocked on a channel is named, and the channel's dead end said",
          "[wait_graph][deadlock]") {
  auto r = sim::run([] {
    Mutex mu;
    Chan<bool> updates(0);
    WaitGroup wg;
    wg.add(2);
    go("watch", [&] {
      mu.lock();
      sleep(3s);
      updates.send(true);  // nobody receives: lbWatcher waits for the mutex first
      mu.unlock();
      wg.done();
    });
    go("lbWatcher", [&] {
      sleep(1s);
      mu.lock();
      (void)updates.recv();
      mu.unlock();
      wg.done();
    });
    wg.wait();
  });
  REQUIRE(r.verdict == sim::Verdict::deadlock);
  CHECK(r.graph.durable);
  CHECK(r.graph.cycles.empty());
  CHECK(r.graph.text() ==
        "wait-for graph: no cycle\n"
        "  fiber 1 \"main\" waits for waitgroup #3 (since +0s): no fiber can ever call done on waitgroup #3\n"
        "  fiber 2 \"watch\" holds mutex #1 and waits to send on chan<bool> #2 (since +3s): "
        "no fiber can ever receive from chan<bool> #2\n"
        "  fiber 3 \"lbWatcher\" waits to lock mutex #1 (since +1s): mutex #1 is held by fiber 2 \"watch\"\n");
  CHECK(r.dump().starts_with(r.graph.text() + "goroutine dump at +3s"));
}

TEST_CASE("wait graph: an AB-BA mutex deadlock is one cycle, printed first", "[wait_graph][deadlock]") {
  auto r = sim::run([] { ab_ba(); });
  REQUIRE(r.verdict == sim::Verdict::deadlock);
  CHECK(r.graph.cycles == std::vector<std::vector<std::uint64_t>>{{2, 3}});
  CHECK(r.graph.text() ==
        "wait-for graph: 1 cycle\n"
        "  cycle 1: fiber 2 \"ab\" holds mutex #1 and waits to lock mutex #2 (since +1s); "
        "fiber 3 \"ba\" holds mutex #2 and waits to lock mutex #1 (since +1s)\n"
        "  fiber 1 \"main\" waits for waitgroup #3 (since +0s): no fiber can ever call done on waitgroup #3\n");
}

TEST_CASE("wait graph: a lone receive says no fiber can ever send", "[wait_graph][deadlock][chan]") {
  auto r = sim::run([] {
    Chan<int> c(0);
    (void)c.recv();
  });
  REQUIRE(r.verdict == sim::Verdict::deadlock);
  CHECK(r.graph.text() ==
        "wait-for graph: no cycle\n"
        "  fiber 1 \"main\" waits to receive from chan<int> #1 (since +0s): no fiber can ever send on chan<int> #1\n");
}

TEST_CASE("wait graph: a leak names each blocked fiber, a select by its cases, a semaphore by its units",
          "[wait_graph][leak]") {
  auto r = sim::run([] {
    Chan<int> c(0);
    go("stuck", [c] { (void)c.recv(); });
    go("select", [c] {
      Chan<int> d(0);
      select(on_recv(c), on_send(d, 1, [] {}));
    });
    go("acquirer", [] {
      Semaphore s(3);
      s.acquire(2);
      s.acquire(2);
    });
  });
  REQUIRE(r.verdict == sim::Verdict::leak);
  CHECK(r.graph.text() ==
        "wait-for graph: no cycle\n"
        "  fiber 2 \"stuck\" waits to receive from chan<int> #1 (since +0s): no fiber can ever send on chan<int> #1\n"
        "  fiber 3 \"select\" waits in select to receive from chan<int> #1 or to send on chan<int> #2 (since +0s): "
        "no fiber can ever send on chan<int> #1; no fiber can ever receive from chan<int> #2\n"
        "  fiber 4 \"acquirer\" waits to acquire 2 of semaphore #3 (since +0s): no fiber can ever release semaphore #3\n");
}

TEST_CASE("wait graph: with a timer pending, a leak does not claim 'ever'", "[wait_graph][leak]") {
  auto r = sim::run([] {
    Chan<int> c(0);
    go("receiver", [c] { (void)c.recv(); });
    go("sleeper", [] { sleep(1h); });
  });
  REQUIRE(r.verdict == sim::Verdict::leak);
  CHECK_FALSE(r.graph.durable);
  CHECK(r.graph.text() ==
        "wait-for graph: no cycle\n"
        "  fiber 2 \"receiver\" waits to receive from chan<int> #1 (since +0s): "
        "no blocked fiber can send on chan<int> #1 (fibers or timers that can still run might)\n"
        "  fiber 3 \"sleeper\" sleeps (since +0s)\n");
}

TEST_CASE("wait graph: Options::graph_path writes the graph as DOT", "[wait_graph][dot]") {
  sim::Options options;
  options.graph_path = "wait_graph_test.dot";
  std::remove(options.graph_path.c_str());
  auto r = sim::run([] { ab_ba(); }, options);
  REQUIRE(r.verdict == sim::Verdict::deadlock);
  std::ifstream file(options.graph_path);
  std::stringstream dot;
  dot << file.rdbuf();
  CHECK(dot.str() == r.graph.dot());
  CHECK(dot.str() ==
        "digraph wait_for {\n"
        "  f1 [shape=box, label=\"fiber 1 \\\"main\\\"\\nblocked [sync.WaitGroup.Wait]\"];\n"
        "  f2 [shape=box, label=\"fiber 2 \\\"ab\\\"\\nblocked [sync.Mutex.Lock]\", color=red];\n"
        "  f3 [shape=box, label=\"fiber 3 \\\"ba\\\"\\nblocked [sync.Mutex.Lock]\", color=red];\n"
        "  o1 [shape=ellipse, label=\"waitgroup #3 count=2\"];\n"
        "  o2 [shape=ellipse, label=\"mutex #2 held by fiber 3\"];\n"
        "  o3 [shape=ellipse, label=\"mutex #1 held by fiber 2\"];\n"
        "  f1 -> o1 [label=\"wait\"];\n"
        "  f2 -> o2 [label=\"lock\"];\n"
        "  f3 -> o3 [label=\"lock\"];\n"
        "  o2 -> f3 [label=\"held by\"];\n"
        "  o3 -> f2 [label=\"held by\"];\n"
        "}\n");
  std::remove(options.graph_path.c_str());
}

TEST_CASE("wait graph: sim::wait_graph() mid-run shows the caller running and who waits for it",
          "[wait_graph][snapshot]") {
  std::string text;
  auto r = sim::run([&] {
    Mutex mu;
    WaitGroup done;
    done.add(1);
    mu.lock();
    go("waiter", [&] {
      mu.lock();
      mu.unlock();
      done.done();
    });
    sim::wait();
    text = sim::wait_graph().text();
    mu.unlock();
    done.wait();  // mu and done outlive the waiter
  });
  CHECK(r.passed());
  CHECK(r.graph.empty());  // built for deadlock and leak verdicts only
  CHECK(text ==
        "wait-for graph: no cycle\n"
        "  fiber 1 \"main\" holds mutex #1 and is running\n"
        "  fiber 2 \"waiter\" waits to lock mutex #1 (since +0s): mutex #1 is held by fiber 1 \"main\"\n");
}

TEST_CASE("wait graph: sim::wait_graph() outside a simulation is misuse", "[wait_graph][misuse]") {
  CHECK_THROWS_AS(sim::wait_graph(), Misuse);
}

TEST_CASE("wait graph: locking a held mutex again is a cycle of one fiber", "[wait_graph][deadlock]") {
  auto r = sim::run([] {
    Mutex mu;
    mu.lock();
    mu.lock();  // Go: fatal error, all goroutines are asleep
  });
  REQUIRE(r.verdict == sim::Verdict::deadlock);
  CHECK(r.graph.text() ==
        "wait-for graph: 1 cycle\n"
        "  cycle 1: fiber 1 \"main\" holds mutex #1 and waits to lock mutex #1 (since +0s)\n");
}
