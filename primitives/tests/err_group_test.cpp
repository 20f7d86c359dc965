// ErrGroup: the first error wins and cancels the siblings' context; wait
// returns it; set_limit bounds concurrency (go blocks, try_go refuses);
// functions may throw or return an Error.
#include <algorithm>
#include <stdexcept>

#include "primitives/tests/support.hpp"

using namespace std::chrono_literals;
using lockstep::Clock;
using lockstep::ErrGroup;
using lockstep::Error;
using lockstep::kSimulationEpoch;
using lockstep::test::run_both;
using lockstep::test::run_checked;
using lockstep::test::run_sim;
using lockstep::test::Trace;
namespace sim = lockstep::sim;

TEST_CASE("errgroup: wait returns null when every function succeeds", "[errgroup]") {
  int ran = 0;
  run_checked([&] {
    ErrGroup g;
    for (int i = 1; i <= 3; ++i)
      g.go([&, i] {
        lockstep::sleep(std::chrono::seconds(i));
        ++ran;
      });
    CHECK(g.wait() == nullptr);
    CHECK(Clock::now() == kSimulationEpoch + 3s);
  });
  CHECK(ran == 3);
}

TEST_CASE("errgroup: the first error cancels the siblings' context and wait returns it",
          "[errgroup][context]") {
  Trace trace;
  run_checked([&] {
    auto [g, ctx] = ErrGroup::with_context(lockstep::background());
    g.go([] {
      lockstep::sleep(1s);
      throw std::runtime_error("courier store down");
    });
    g.go([&, ctx = ctx] {
      lockstep::select(lockstep::on_recv(ctx.done(), [&] { trace.add("sibling cancelled"); }),
                       lockstep::on_recv(lockstep::after(1h), [&] { trace.add("sibling finished"); }));
    });
    g.go([]() -> Error {  // a later error is not the one reported
      lockstep::sleep(2s);
      return std::make_exception_ptr(std::runtime_error("parcel store down"));
    });
    Error err = g.wait();
    CHECK(lockstep::error_message(err) == "courier store down");
    CHECK(lockstep::is_canceled(ctx.err()));
    CHECK(lockstep::error_message(lockstep::cause(ctx)) == "courier store down");
    CHECK(Clock::now() == kSimulationEpoch + 2s);
  });
  CHECK(trace.events == std::vector<std::string>{"sibling cancelled@1s"});
}

TEST_CASE("errgroup: wait cancels the group's context even without an error", "[errgroup][context][both]") {
  run_both([] {
    auto [g, ctx] = ErrGroup::with_context(lockstep::background());
    g.go([] {});
    CHECK(ctx.err() == nullptr);
    CHECK(g.wait() == nullptr);
    CHECK(lockstep::is_canceled(ctx.err()));
  });
}

TEST_CASE("errgroup: set_limit(2) never lets a third function run", "[errgroup][limit]") {
  int running = 0, high_water = 0;
  run_checked([&] {
    ErrGroup g;
    g.set_limit(2);
    for (int i = 0; i < 5; ++i)
      g.go([&] {
        high_water = std::max(high_water, ++running);
        lockstep::sleep(1s);
        --running;
      });
    CHECK(g.wait() == nullptr);
    CHECK(Clock::now() == kSimulationEpoch + 3s);  // 2 + 2 + 1
  });
  CHECK(high_water == 2);
}

TEST_CASE("errgroup: go blocks at the limit, try_go refuses", "[errgroup][limit]") {
  auto r = run_sim([] {
    ErrGroup g;
    g.set_limit(1);
    g.go([] { lockstep::Chan<int>().recv(); });  // holds the only slot forever
    CHECK_FALSE(g.try_go([] {}));
    lockstep::go("starter", [g] { g.go([] {}); });
    lockstep::sleep(1s);
    lockstep::detail::current_runtime()->park(lockstep::detail::WaitSite{"test stop", nullptr, {}});
  });
  CHECK(r.verdict == sim::Verdict::deadlock);
  auto starter = std::find_if(r.fibers.begin(), r.fibers.end(), [](auto& f) { return f.name == "starter"; });
  REQUIRE(starter != r.fibers.end());
  CHECK(starter->reason == "chan send");
  CHECK(starter->object == "chan<lockstep::Empty> #2 cap=1 len=1");  // #1 is its WaitGroup
}

TEST_CASE("errgroup: set_limit while functions run is misuse", "[errgroup][misuse]") {
  auto r = run_sim([] {
    ErrGroup g;
    g.set_limit(3);
    g.go([] { lockstep::sleep(1s); });
    g.set_limit(5);
  });
  CHECK(r.verdict == sim::Verdict::misuse);
  CHECK_THAT(r.message, Catch::Contains("errgroup: modify limit while 1 goroutines in the group are still active"));
}

TEST_CASE("errgroup: a group is a handle shared by its goroutines", "[errgroup][both]") {
  run_both([] {
    lockstep::Atomic<int> ran;
    ErrGroup g;
    g.go([&, g] { g.go([&] { ran.fetch_add(1); }); });  // a goroutine adds to its own group
    CHECK(g.wait() == nullptr);
    CHECK(ran.load() == 1);
  });
}

TEST_CASE("errgroup: misuse inside a function is the run's misuse, not the group's error",
          "[errgroup][misuse]") {
  // Regression: the group caught Misuse as an ordinary error and the run passed.
  auto r = run_sim([] {
    ErrGroup g;
    g.go([] {
      lockstep::Chan<int> c(1);
      c.close();
      c.send(1);
    });
    (void)g.wait();  // never returns: the misuse ends the run
  });
  CHECK(r.verdict == sim::Verdict::misuse);
  CHECK_THAT(r.message, Catch::Contains("send on closed channel"));
}
