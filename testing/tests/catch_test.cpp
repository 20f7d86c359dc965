// The Catch2 macros (testing/catch.hpp): a body runs in a simulation, a
// failing verdict fails the test with the dump and a replay command, a fuzz
// case explores schedules and self-checks a sample of them. Failing cases
// cannot be Catch test cases here (they would fail the suite), so those are
// driven through run_test()/run_fuzz(), which the macros call, and their
// failure text is asserted.
#include "testing/catch.hpp"

#include <cstdlib>

#include "lockstep.hpp"
#include "testing/tests/racy_counter.hpp"

using namespace std::chrono_literals;
namespace sim = lockstep::sim;
namespace lt = lockstep::testing;

namespace {

std::string program() { return lt::detail::program(); }

using lockstep::testing::tests::racy_counter;

// One call site for the original run and its replay, so their dumps agree.
std::string fuzz_racy_counter() { return lt::run_fuzz([] { racy_counter(); }, {.schedules = 50}); }

void deadlock() {
  lockstep::Chan<int> never(0);
  never.recv();
}

void leaky() {
  lockstep::Chan<int> never(0);
  lockstep::go("forgotten", [never] { never.recv(); });
}

// Restores an environment variable when the test ends, pass or fail.
struct ScopedEnv {
  const char* name;
  ScopedEnv(const char* n, const std::string& value) : name(n) { ::setenv(n, value.c_str(), 1); }
  ~ScopedEnv() { ::unsetenv(name); }
};

}  // namespace

// A deterministic timeout test without a real sleep: the reply comes after
// 3 s of virtual time, the deadline is 2 s, and the test asserts both exactly.
LOCKSTEP_TEST_CASE("catch: a timeout fires at its exact virtual deadline", "[catch]") {
  lockstep::Chan<int> reply(1);
  lockstep::go("slow-server", [reply] {
    lockstep::sleep(3s);
    reply.send(1);
  });
  bool timed_out = false;
  lockstep::select(lockstep::on_recv(reply, [] {}),
                   lockstep::on_recv(lockstep::after(2s), [&] { timed_out = true; }));
  CHECK(timed_out);
  CHECK(lockstep::Clock::now() - lockstep::kSimulationEpoch == 2s);
  CHECK(reply.recv() == 1);  // and the server is collected, not leaked
  CHECK(lockstep::Clock::now() - lockstep::kSimulationEpoch == 3s);
}

LOCKSTEP_TEST_CASE("catch: a leak may be allowed, locally", "[catch]", .allow_leaks = true) {
  leaky();
}

LOCKSTEP_FUZZ_CASE("catch: a mutex-protected counter survives 300 pct schedules", "[catch]",
                   .strategy = sim::Strategy::pct(3, 50), .schedules = 300) {
  lockstep::Mutex mu;
  lockstep::WaitGroup wg;
  int counter = 0;
  wg.add(3);
  for (int i = 0; i < 3; ++i)
    lockstep::go("incrementer", [&] {
      mu.lock();
      int seen = counter;
      lockstep::yield();
      counter = seen + 1;
      mu.unlock();
      wg.done();
    });
  wg.wait();
  REQUIRE(counter == 3);
}

TEST_CASE("catch: a deadlock fails with the dump and the replay command", "[catch]") {
  std::string text = lt::run_test([] { deadlock(); }, {});
  CHECK_THAT(text, Catch::StartsWith("lockstep: deadlock: all fibers are blocked and no timer is pending\n"));
  CHECK_THAT(text, Catch::Contains("\n  fiber 1 \"main\" on chan<int> #1 cap=0 len=0 since +0s\n"));
  CHECK_THAT(text, Catch::EndsWith(
                       "decisions off FIFO: 0 of 0\nreplay: LOCKSTEP_REPLAY='lockstep1:fifo:seed=0' " +
                       program() +
                       " 'catch: a deadlock fails with the dump and the replay command'\n"));
}

TEST_CASE("catch: leaks fail unless the case allows them", "[catch]") {
  std::string text = lt::run_test([] { leaky(); }, {});
  CHECK_THAT(text, Catch::StartsWith("lockstep: leak: main returned but 1 fiber remains blocked\n"));
  CHECK(lt::run_test([] { leaky(); }, {.allow_leaks = true}).empty());
}

TEST_CASE("catch: a test name with a comma is escaped for Catch's command line", "[catch]") {
  CHECK(lt::replay_command("lockstep1:fifo:seed=0", "./t", "a, b [c] it's") ==
        R"(LOCKSTEP_REPLAY='lockstep1:fifo:seed=0' ./t 'a\, b \[c] it'\''s')");
}

// The race is found at a fixed schedule (seeds 0, 1, ... are specified), and
// the printed token replays exactly that failure. The default strategy is
// the portfolio: schedule 5 (seed 4) runs its pos member, and the token
// names pos, so it replays without the portfolio.
TEST_CASE("catch: a fuzz case finds a lost update and its token replays it", "[catch]") {
  std::string text = fuzz_racy_counter();
  REQUIRE_THAT(text, Catch::StartsWith("schedule 5 of 50 failed:\nlockstep: exception in fiber 1 "
                                       "\"main\" (spawned at testing/tests/catch_test.cpp:25): "
                                       "lost update: counter is 1\n"));
  CHECK_THAT(text, Catch::EndsWith("decisions off FIFO: 2 of 9\nreplay: "
                                   "LOCKSTEP_REPLAY='lockstep1:pos:seed=4' " +
                                   program() +
                                   " 'catch: a fuzz case finds a lost update and its token replays it'\n"));
  ScopedEnv replay("LOCKSTEP_REPLAY", "lockstep1:pos:seed=4");
  std::string again = fuzz_racy_counter();
  CHECK(again == "replayed schedule: " + text.substr(text.find('\n') + 1));
}

TEST_CASE("catch: LOCKSTEP_SEED moves the fuzz case's first seed", "[catch]") {
  ScopedEnv seed("LOCKSTEP_SEED", "100");
  std::string text = fuzz_racy_counter();
  CHECK_THAT(text, Catch::Contains("replay: LOCKSTEP_REPLAY='lockstep1:random:seed=100' "));
  CHECK_THAT(text, Catch::StartsWith("schedule 1 of 50 failed (self-checked):\n"));
}

// The first schedule is self-checked by default: a body reading a counter
// that changes between runs is caught before any other schedule runs.
TEST_CASE("catch: a fuzz case self-checks its first schedule", "[catch]") {
  static int calls = 0;
  calls = 0;
  std::string text = lt::run_fuzz([] { lockstep::sleep(++calls * 1ms); }, {});
  CHECK(calls == 2);
  CHECK_THAT(text, Catch::StartsWith("schedule 1 of 100 failed (self-checked):\nlockstep: nondeterminism: "));
  CHECK(lt::run_fuzz([] { lockstep::sleep(++calls * 1ms); }, {.self_check_every = 0}).empty());
}

TEST_CASE("catch: a pct fuzz case learns its step bound from the schedules before", "[catch][pct]") {
  // Schedule i (from 0) takes 10 * (i + 1) yields and schedule 3 fails, so
  // its token carries the longest earlier run: schedule 2's steps, not the
  // first schedule's guess of 1000.
  static int schedule = 0;
  schedule = 0;
  auto body = [] {
    int yields = 10 * ++schedule;
    for (int i = 0; i < yields; ++i) lockstep::yield();
    if (schedule == 4) throw std::runtime_error("fourth");
  };
  auto longest = sim::run(
      [] {
        for (int i = 0; i < 30; ++i) lockstep::yield();
      },
      {});
  std::string text = lt::run_fuzz(body, {.strategy = sim::Strategy::pct(2), .schedules = 5, .self_check_every = 0});
  CHECK_THAT(text, Catch::StartsWith("schedule 4 of 5 failed:\n"));
  CHECK_THAT(text, Catch::Contains(fmt::format(":depth=2:steps={}'", longest.steps)));
}
