// The leak verdict for a fiber blocked in a channel receive (Go's most
// common goroutine leak: waiting for a value nobody will send). The
// situation is built on purpose and the whole outcome asserted: message,
// virtual end time, dump lines (line numbers from __LINE__ next to the code
// that spawns and blocks), and what the teardown leaves behind.
#include <catch2/catch.hpp>

#include "sim/tests/support.hpp"

using namespace std::chrono_literals;
namespace sim = lockstep::sim;

namespace {
std::string here(int line) { return fmt::format("sim/tests/leak_test.cpp:{}", line); }
}  // namespace

TEST_CASE("leak: a fiber blocked in a channel receive is named with its channel", "[verdict][leak][chan]") {
  int spawn_line = 0, recv_line = 0;
  auto r = sim::run([&] {
    lockstep::Chan<int> reply(0);
    spawn_line = __LINE__ + 1;
    lockstep::go("awaiting-reply", [reply, &recv_line] {
      lockstep::sleep(1s);  // asks first, then waits for the answer
      recv_line = __LINE__ + 1;
      reply.recv();
    });
    lockstep::sleep(3s);  // returns without ever sending the reply
  });
  CHECK(r.verdict == sim::Verdict::leak);
  CHECK(r.message == "leak: main returned but 1 fiber remains blocked");
  CHECK(r.elapsed() == 3s);
  CHECK(r.dump() ==
        "wait-for graph: no cycle\n"
        "  fiber 2 \"awaiting-reply\" waits to receive from chan<int> #1 (since +1s): no fiber can ever send on chan<int> #1\n"
        "goroutine dump at +3s (2000-01-01T00:00:03Z): 1 fiber in 1 group\n"
        "1 fiber blocked [chan receive] at " + here(recv_line) + ", spawned at " + here(spawn_line) + "\n"
        "  fiber 2 \"awaiting-reply\" on chan<int> #1 cap=0 len=0 since +1s\n");
}

TEST_CASE("leak: a leaked receiver is torn down and leaves a channel made outside the run free",
          "[verdict][leak][chan]") {
  // The channel outlives the run (made outside any simulation, so it binds
  // to the one using it). The teardown unwinds the receiver out of its wait
  // and unbinds the channel: a later simulation, then the test's own thread,
  // use it as if the leak had never happened.
  lockstep::Chan<int> replies(0);
  auto r = sim::run([replies] {
    lockstep::go("awaiting-reply", [replies] { replies.recv(); });
    lockstep::sim::wait();
  });
  CHECK(r.verdict == sim::Verdict::leak);
  REQUIRE(r.fibers.size() == 1);
  CHECK(r.fibers[0].reason == "chan receive");
  CHECK_THAT(r.fibers[0].object, Catch::Matches("chan<int> #g[0-9]+ cap=0 len=0"));
  auto next = sim::run([replies] {
    lockstep::go([replies] { replies.send(5); });
    CHECK(replies.recv() == 5);
  });
  INFO(sim::to_string(next));
  CHECK(next.verdict == sim::Verdict::passed);
  CHECK(replies.try_send(1) == false);  // no receiver is left waiting
}
