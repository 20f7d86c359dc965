// The test watchdog (tools/test_watchdog.cpp): a test case that hangs on real
// threads is aborted with its name and the goroutine dump. Proved end to end:
// this binary runs itself in a child process, on a hidden test that hangs
// for good (a lost wake-up), with a limit of 300 ms, and the parent asserts
// the child's stderr line by line and its SIGABRT. Nothing here waits on a
// guessed sleep: the child hangs until its watchdog ends it.
#include <catch2/catch.hpp>

#include <csignal>

#include "lockstep.hpp"
#include "threads/tests/subprocess.hpp"

using lockstep::Chan;

namespace {

constexpr const char* kHungTest = "test watchdog: a test that hangs (run by the next test in a child)";

// The sites the dump must name: the courier's spawn and its receive, and
// where the test's own thread waits.
constexpr int kSpawnLine = __LINE__ + 5;
constexpr int kCourierLine = __LINE__ + 5;
constexpr int kMainLine = __LINE__ + 7;
void wait_for_a_reply_nobody_sends() {
  Chan<int> reply(0), delivered(0);
  lockstep::go("stuck-courier", [reply, delivered] {
    reply.recv();  // nobody ever sends the reply
    delivered.send(1);
  });
  delivered.recv();  // so this waits forever
}

}  // namespace

TEST_CASE(kHungTest, "[.][watchdog-child]") {
  wait_for_a_reply_nobody_sends();
}

TEST_CASE("test watchdog: a test case past its limit prints its name and the goroutine dump, then aborts",
          "[real][watchdog]") {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  REQUIRE(n > 0);
  auto child = lockstep::test::run_child({std::string(self, static_cast<std::size_t>(n)), kHungTest},
                                         {"LOCKSTEP_TEST_TIMEOUT_MS=300"});
  REQUIRE_FALSE(child.timed_out);
  CHECK(child.signal == SIGABRT);
  std::string here = "threads/tests/test_watchdog_test.cpp:";
  CHECK_THAT(child.err,
             Catch::Matches(fmt::format(
                 "lockstep: test case \"{0}\" still running after 300ms \\(LOCKSTEP_TEST_TIMEOUT_MS=300\\); "
                 "its goroutines, then abort:\n"
                 "goroutine dump at [^\n]*: 2 goroutines in 2 groups\n"
                 "1 goroutine blocked \\[chan receive\\] at {1}{2}, spawned at {1}{3}\n"
                 "  goroutine [0-9]+ \"stuck-courier\" on chan<int> #g[0-9]+ cap=0 len=0 since [^\n]*\n"
                 "1 thread blocked \\[chan receive\\] at {1}{4}\n"
                 "  thread [0-9]+ \"main\" on chan<int> #g[0-9]+ cap=0 len=0 since [^\n]*\n",
                 "test watchdog: a test that hangs \\(run by the next test in a child\\)", here, kCourierLine,
                 kSpawnLine, kMainLine)));
}
