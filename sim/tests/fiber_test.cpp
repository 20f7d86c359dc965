// Fibers: exception state that follows the fiber, stack overflow caught with
// the fiber named, 100k parked fibers (past the guard-page tier), independent
// simulations on several threads, and bad input to the simulator API.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <functional>
#include <stdexcept>
#include <thread>

#include "runtime/sanitizer_hooks.hpp"
#include "runtime/stack_pool.hpp"
#include "sim/tests/support.hpp"

using namespace std::chrono_literals;
namespace sim = lockstep::sim;

TEST_CASE("fibers: a fiber may suspend inside a catch block", "[fiber][exceptions]") {
  std::vector<std::string> rethrown;
  int uncaught_seen_by_bystander = -1;
  auto r = sim::run([&] {
    for (std::string name : {"first", "second"})
      lockstep::go(name, [&rethrown, name] {
        try {
          throw std::runtime_error(name);
        } catch (...) {
          lockstep::yield();  // the other fiber throws and catches meanwhile
          lockstep::sleep(1s);
          try {
            throw;  // must rethrow this fiber's exception, not the other's
          } catch (const std::runtime_error& e) {
            rethrown.push_back(e.what());
          }
        }
      });
    lockstep::go("bystander", [&] {
      lockstep::yield();
      uncaught_seen_by_bystander = std::uncaught_exceptions();
    });
    lockstep::sleep(2s);
  });
  CHECK(r.passed());
  CHECK(rethrown == std::vector<std::string>{"first", "second"});
  CHECK(uncaught_seen_by_bystander == 0);
}

TEST_CASE("fibers: ids are dense and in spawn order, names and sites are kept", "[fiber]") {
  std::vector<std::uint64_t> ids;
  auto r = sim::run([&] {
    ids.push_back(lockstep::detail::current_runtime()->current().id);
    for (int i = 0; i < 3; ++i)
      lockstep::go([&] { ids.push_back(lockstep::detail::current_runtime()->current().id); });
    lockstep::yield();
  });
  CHECK(r.passed());
  CHECK(ids == std::vector<std::uint64_t>{1, 2, 3, 4});
}

TEST_CASE("fibers: 100,000 parked fibers, past the guard-page tier, all unwound", "[fiber][scale]") {
  // kGuardedStacksMax stacks get guard pages; the rest come from canary
  // arenas. Every fiber parks, then the leak teardown unwinds all of them.
  constexpr int kFibers = 100'000;
  int destroyed = 0;
  struct Counted {
    int* n;
    ~Counted() { ++*n; }
  };
  sim::Options o;
  o.stack_size = 32 * 1024;
  auto r = sim::run(
      [&] {
        for (int i = 0; i < kFibers; ++i)
          lockstep::go([&] {
            Counted c{&destroyed};
            lockstep::sleep(1h);
          });
        lockstep::sim::wait();
      },
      o);
  CHECK(r.verdict == sim::Verdict::leak);
  CHECK(r.peak_fibers == kFibers + 1);
  CHECK(r.fibers.size() == static_cast<std::size_t>(kFibers));
  CHECK(destroyed == kFibers);
  CHECK_THAT(r.dump(), Catch::Contains("100000 fibers blocked [sleep]"));
  CHECK_THAT(r.dump(), Catch::Contains("  ... and 99992 more\n"));
}

namespace {

// Runs `body` in a child process and returns what it wrote to stderr and
// whether it died of SIGABRT. Death tests need a process of their own.
std::pair<std::string, bool> in_child(const std::function<void()>& body) {
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // The test framework's own crash handlers must not report the child's
    // deliberate abort as a failure of the parent's test.
    signal(SIGABRT, SIG_DFL);
    signal(SIGSEGV, SIG_DFL);
    dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[0]);
    body();
    _exit(0);
  }
  close(pipe_fds[1]);
  std::string err;
  char buf[4096];
  for (ssize_t n; (n = read(pipe_fds[0], buf, sizeof buf)) > 0;) err.append(buf, static_cast<std::size_t>(n));
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return {err, WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT};
}

// Recurses with ~160-byte frames the optimizer cannot remove; every frame
// writes all of its locals, as real frames do.
int deep(int n) {
  volatile char frame[128];
  for (auto& c : frame) c = static_cast<char>(n);
  if (n == 0) {
    lockstep::yield();  // a switch checks the canary
    return frame[0];
  }
  return deep(n - 1) + frame[n % 128];
}

}  // namespace

TEST_CASE("fibers: a stack overflow into the guard page names the fiber", "[fiber][overflow]") {
  auto [err, aborted] = in_child([] {
    sim::Options o;
    o.stack_size = 32 * 1024;
    o.guard_pages = true;
    sim::run([] { lockstep::go("deep-diver", [] { deep(100000); }); }, o);
  });
  CHECK(aborted);
  CHECK_THAT(err, Catch::StartsWith("lockstep: stack overflow in fiber 2 \"deep-diver\" (spawned at "
                                    "sim/tests/fiber_test.cpp:"));
  CHECK_THAT(err, Catch::Contains("raise sim::Options::stack_size"));
}

TEST_CASE("fibers: a stack overflow past the canary names the fiber", "[fiber][overflow]") {
  // Under AddressSanitizer the write into the neighbouring stack may be caught
  // by ASan itself, before any switch: that report is then the diagnosis.
  auto [err, aborted] = in_child([] {
    sim::Options o;
    o.stack_size = 32 * 1024;
    o.guard_pages = false;  // canary-checked arena stacks only
    sim::run(
        [] {
          for (int i = 0; i < 3; ++i) lockstep::go([] { lockstep::sleep(1s); });
          // A runnable peer, so the overflower's yield really switches out
          // (and so runs the canary check) instead of returning at once.
          lockstep::go("peer", [] {
            for (int i = 0; i < 1000; ++i) lockstep::yield();
          });
          lockstep::go("overflower", [] { deep(250); });  // ~40 KiB into a 32 KiB stack
          lockstep::sleep(2s);
        },
        o);
  });
#if defined(LOCKSTEP_ASAN)
  CHECK_THAT(err, Catch::Contains("AddressSanitizer: stack-buffer-overflow") ||
                      Catch::StartsWith("lockstep: stack overflow in fiber 6 \"overflower\""));
#else
  CHECK(aborted);
  CHECK_THAT(err, Catch::StartsWith("lockstep: stack overflow in fiber 6 \"overflower\" (spawned at "
                                    "sim/tests/fiber_test.cpp:"));
  CHECK_THAT(err, Catch::Contains("stack's canary was overwritten"));
#endif
}

TEST_CASE("fibers: the watchdog names a fiber that never reaches a scheduling point",
          "[fiber][watchdog]") {
  auto [err, aborted] = in_child([] {
    sim::Options o;
    o.watchdog = 50ms;
    sim::run(
        [] {
          lockstep::go("hog", [] {
            for (volatile bool forever = true; forever;) {
            }
          });
          lockstep::yield();
        },
        o);
  });
  CHECK(aborted);
  CHECK_THAT(err, Catch::StartsWith("lockstep: watchdog: fiber 2 \"hog\" (spawned at "
                                    "sim/tests/fiber_test.cpp:"));
  CHECK_THAT(err, Catch::Contains("has run for more than 50 ms of real time without reaching a "
                                  "scheduling point"));
}

TEST_CASE("fibers: simulations on several threads are independent and identical", "[fiber][threads]") {
  auto body = [](std::vector<int>& order) {
    return [&order] {
      for (int f = 0; f < 4; ++f)
        lockstep::go([&order, f] {
          for (int i = 0; i < 50; ++i) {
            order.push_back(f);
            lockstep::yield();
            if (i % 7 == 0) lockstep::sleep(std::chrono::milliseconds(f + 1));
          }
        });
      lockstep::sleep(1s);
    };
  };
  sim::Options o;
  o.strategy = sim::Strategy::random();
  o.seed = 31337;
  std::vector<int> reference;
  auto expected = sim::run(body(reference), o);
  std::vector<int> a, b;
  sim::Report ra, rb;
  std::thread ta([&] { ra = sim::run(body(a), o); });
  std::thread tb([&] { rb = sim::run(body(b), o); });
  ta.join();
  tb.join();
  CHECK(expected.passed());
  CHECK(a == reference);
  CHECK(b == reference);
  CHECK(ra.decisions == expected.decisions);
  CHECK(rb.decisions == expected.decisions);
  CHECK(ra.end == expected.end);
}

TEST_CASE("fibers: bad input to the simulator API is misuse, never a crash", "[fiber][misuse]") {
  SECTION("run inside a simulation") {
    auto r = sim::run([] { sim::run([] {}); });
    CHECK(r.verdict == sim::Verdict::misuse);
    CHECK_THAT(r.message, Catch::Contains("sim::run() called from within a simulation"));
  }
  SECTION("run of an empty function") {
    CHECK_THROWS_WITH(sim::run(std::function<void()>{}),
                      Catch::StartsWith("lockstep: sim::run() of an empty function"));
  }
  SECTION("go of an empty function") {
    auto r = sim::run([] { lockstep::go("nothing", std::function<void()>{}); });
    CHECK(r.verdict == sim::Verdict::misuse);
    CHECK_THAT(r.message, Catch::Contains("spawn of an empty function"));
  }
  SECTION("options that cannot work") {
    auto bad = [](auto tweak) {
      sim::Options o;
      tweak(o);
      sim::run([] {}, o);
    };
    CHECK_THROWS_WITH(bad([](sim::Options& o) { o.stack_size = 4096; }),
                      Catch::StartsWith("lockstep: sim::Options::stack_size 4096 is below the 16 KiB minimum"));
    CHECK_THROWS_WITH(bad([](sim::Options& o) { o.horizon = -1s; }),
                      Catch::StartsWith("lockstep: sim::Options::horizon must be positive, not -1s"));
    CHECK_THROWS_WITH(bad([](sim::Options& o) { o.livelock_steps = 0; }),
                      Catch::StartsWith("lockstep: sim::Options::livelock_steps must be at least 1"));
    CHECK_THROWS_WITH(bad([](sim::Options& o) { o.watchdog = -1ms; }),
                      Catch::StartsWith("lockstep: sim::Options::watchdog must not be negative"));
  }
}
