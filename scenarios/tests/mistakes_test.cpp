// The mistakes catalog, one mistake at a time: on the FIFO schedule (or, for
// dropped_error, the first schedule that draws a fault) each buggy scenario
// ends in its verdict with the fiber, state, wait reason and virtual time
// the dump must show; its fixed twin passes the same 32 random and 32 PCT
// schedules (seeds 1..32) that catch the bug.
#include <map>
#include <optional>
#include <string>

#include "scenarios/catalog.hpp"
#include "scenarios/explore.hpp"
#include "scenarios/mistakes/unbounded_fanout.hpp"
#include "scenarios/tests/support.hpp"

using namespace std::chrono_literals;
using namespace lockstep;
using namespace lockstep::scenarios;

namespace {

const Scenario& named(const std::string& name) {
  const Scenario* s = find_scenario(name);
  REQUIRE(s != nullptr);
  return *s;
}

sim::Report fifo(const std::string& name) { return run_schedule(named(name), sim::Strategy::fifo(), 0); }

// caught_and_fixed() asserts the pair's contract under random and PCT,
// 32 schedules each from seed 1: the bug shows on the first schedule and on
// no other failing verdict; the twin passes all 32.
void caught_and_fixed(const std::string& name) {
  for (auto k : {sim::Strategy::Kind::random, sim::Strategy::Kind::pct}) {
    ExploreConfig c{k, 32, 1, 3, 1000};
    auto bug = explore(named(name), c);
    INFO(render(bug, true));
    CHECK(bug.held);
    CHECK(bug.first_match == std::optional<std::uint64_t>{0});
    auto fix = explore(named(name + "_fixed"), c);
    INFO(render(fix, true));
    CHECK(fix.held);
    CHECK(fix.verdicts == std::map<sim::Verdict, std::uint64_t>{{sim::Verdict::passed, 32}});
  }
}

// exception_in() checks a failure of a scenario's own checker: the
// exception verdict in `fiber`, with the invariant's message.
void exception_in(const sim::Report& r, const std::string& fiber, const std::string& invariant) {
  CHECK(r.verdict == sim::Verdict::exception);
  CHECK(r.message.starts_with("exception in fiber " + fiber));
  CHECK(r.message.ends_with("invariant broken: " + invariant));
}

void check_fiber(const sim::FiberSnapshot& f, const std::string& name, sim::FiberState state,
                 const std::string& reason, const std::string& object) {
  CHECK(f.name == name);
  CHECK(f.state == state);
  CHECK(f.reason == reason);
  CHECK(f.object == object);
}

}  // namespace

TEST_CASE("mistakes: leak_no_stop leaks the poller, asleep since +3s", "[mistakes][leak]") {
  auto r = fifo("mistakes/leak_no_stop");
  CHECK(r.verdict == sim::Verdict::leak);
  CHECK(r.message == "leak: main returned but 1 fiber remains blocked");
  CHECK(r.elapsed() == 3500ms);
  REQUIRE(r.fibers.size() == 1);
  check_fiber(r.fibers[0], "position-poller", sim::FiberState::blocked, "sleep", "");
  CHECK(r.fibers[0].since == kSimulationEpoch + 3s);
  caught_and_fixed("mistakes/leak_no_stop");
}

TEST_CASE("mistakes: close_by_receiver is a send on a closed channel, in the scanner", "[mistakes][misuse]") {
  auto r = fifo("mistakes/close_by_receiver");
  CHECK(r.verdict == sim::Verdict::misuse);
  CHECK(r.message.starts_with("misuse in fiber 2 \"scanner\""));
  CHECK(r.message.find("lockstep: send on closed channel on chan<lockstep::scenarios::Scan> #1 cap=0 len=0 closed") !=
        std::string::npos);
  REQUIRE(r.fibers.size() == 2);
  check_fiber(r.fibers[0], "main", sim::FiberState::blocked, "sleep", "");
  check_fiber(r.fibers[1], "scanner", sim::FiberState::running, "", "");
  caught_and_fixed("mistakes/close_by_receiver");
}

TEST_CASE("mistakes: missing_receiver deadlocks main on the WaitGroup and the planners on their sends", "[mistakes][deadlock]") {
  auto r = fifo("mistakes/missing_receiver");
  CHECK(r.verdict == sim::Verdict::deadlock);
  CHECK(r.elapsed() == 30ms);
  REQUIRE(r.fibers.size() == 4);
  check_fiber(r.fibers[0], "main", sim::FiberState::blocked, "sync.WaitGroup.Wait", "waitgroup #2 count=3");
  for (int i = 1; i <= 3; ++i) {
    check_fiber(r.fibers[i], "route-planner", sim::FiberState::blocked, "chan send",
                "chan<lockstep::scenarios::Route> #1 cap=0 len=0");
    CHECK(r.fibers[i].since == kSimulationEpoch + 10ms * i);
  }
  caught_and_fixed("mistakes/missing_receiver");
}

TEST_CASE("mistakes: polite_retry livelocks past its 10s horizon, both couriers asleep", "[mistakes][livelock]") {
  auto r = fifo("mistakes/polite_retry");
  CHECK(r.verdict == sim::Verdict::livelock);
  CHECK(r.message == "livelock: virtual time would pass the horizon of 10s (next timer at +10.01s)");
  CHECK(r.elapsed() == 10s);
  REQUIRE(r.fibers.size() == 3);
  check_fiber(r.fibers[1], "courier-a", sim::FiberState::blocked, "sleep", "");
  check_fiber(r.fibers[2], "courier-b", sim::FiberState::blocked, "sleep", "");
  caught_and_fixed("mistakes/polite_retry");
}

TEST_CASE("mistakes: busy_select_default livelocks at +0s with the hot poller running", "[mistakes][livelock]") {
  auto r = fifo("mistakes/busy_select_default");
  CHECK(r.verdict == sim::Verdict::livelock);
  CHECK(r.message == "livelock: 10000 scheduling steps without virtual time moving");
  CHECK(r.elapsed() == 0s);
  REQUIRE(r.fibers.size() == 3);
  check_fiber(r.fibers[1], "dispatcher", sim::FiberState::blocked, "sleep", "");
  check_fiber(r.fibers[2], "hot-poller", sim::FiberState::running, "", "");
  caught_and_fixed("mistakes/busy_select_default");
}

TEST_CASE("mistakes: dropped_error passes under FIFO and is caught once a lookup fails", "[mistakes][exception]") {
  // FIFO draws no fault: the dropped error has nothing to drop.
  CHECK(fifo("mistakes/dropped_error").verdict == sim::Verdict::passed);
  auto r = run_schedule(named("mistakes/dropped_error"), sim::Strategy::random(), 1);
  exception_in(r, "1 \"main\"",
               "every courier lookup ends loaded or with its error reported (2 of 4 accounted for)");
  CHECK(r.elapsed() == 2s);  // this schedule also drew a slow (2s) lookup
  caught_and_fixed("mistakes/dropped_error");
}

TEST_CASE("mistakes: unbounded_fanout: peak goroutines grow with the batch, the bounded twin's do not", "[mistakes][exception]") {
  auto r = fifo("mistakes/unbounded_fanout");
  exception_in(r, "1 \"main\"", "at most 8 lookups in flight (peak 50)");
  // Report::peak_fibers counts main too.
  auto peak = [](int n, bool bounded) { return test::run_fifo([=] { fan_out(n, bounded); }).peak_fibers; };
  CHECK(peak(10, false) == 11);
  CHECK(peak(100, false) == 101);
  CHECK(peak(10, true) == 9);
  CHECK(peak(100, true) == 9);
  caught_and_fixed("mistakes/unbounded_fanout");
}

TEST_CASE("mistakes: after_in_loop ends its 30s wait at +2m30s", "[mistakes][exception]") {
  auto r = fifo("mistakes/after_in_loop");
  exception_in(r, "1 \"main\"", "the wait for parcel 1's ack ends by its 30s deadline (it ended, timed out, after 2m30s)");
  CHECK(r.elapsed() == 150s);
  caught_and_fixed("mistakes/after_in_loop");
}

TEST_CASE("mistakes: cond_no_recheck: the second picker takes from an empty queue at +1s", "[mistakes][exception]") {
  auto r = fifo("mistakes/cond_no_recheck");
  exception_in(r, "3 \"picker\"", "a picker takes a parcel only from a non-empty ready queue");
  CHECK(r.elapsed() == 1s);
  REQUIRE(r.fibers.size() == 3);
  check_fiber(r.fibers[1], "picker", sim::FiberState::blocked, "sync.Cond.Wait", "cond #2 (mutex #1)");
  check_fiber(r.fibers[2], "picker", sim::FiberState::running, "", "");
  caught_and_fixed("mistakes/cond_no_recheck");
}

TEST_CASE("mistakes: once_no_retry: the request at +2s finds no zones", "[mistakes][exception]") {
  auto r = fifo("mistakes/once_no_retry");
  exception_in(r, "1 \"main\"", "zones are loaded once the zone service is up (request at +2s found none)");
  CHECK(r.elapsed() == 2s);
  caught_and_fixed("mistakes/once_no_retry");
}

TEST_CASE("mistakes: forgotten_reply leaks the notifier in its receive, waiting since +0s", "[mistakes][leak]") {
  auto r = fifo("mistakes/forgotten_reply");
  CHECK(r.verdict == sim::Verdict::leak);
  CHECK(r.message == "leak: main returned but 1 fiber remains blocked");
  CHECK(r.elapsed() == 200ms);
  REQUIRE(r.fibers.size() == 1);
  check_fiber(r.fibers[0], "pickup-notifier", sim::FiberState::blocked, "chan receive", "chan<int> #1 cap=0 len=0");
  CHECK(r.fibers[0].since == kSimulationEpoch);
  CHECK_THAT(r.dump(), Catch::Matches("wait-for graph: no cycle\n"
                                      "  fiber 2 \"pickup-notifier\" waits to receive from chan<int> #1 \\(since \\+0s\\): "
                                      "no fiber can ever send on chan<int> #1\n"
                                      "goroutine dump at \\+200ms \\(2000-01-01T00:00:00.2Z\\): 1 fiber in 1 group\n"
                                      "1 fiber blocked \\[chan receive\\] at scenarios/mistakes/forgotten_reply.hpp:[0-9]+, "
                                      "spawned at scenarios/mistakes/forgotten_reply.hpp:[0-9]+\n"
                                      "  fiber 2 \"pickup-notifier\" on chan<int> #1 cap=0 len=0 since \\+0s\n"));
  caught_and_fixed("mistakes/forgotten_reply");
}

// No other detector sees this one: run without its monitor's verdict, the
// program would pass at +31.5s. The monitor ends it at +2s, the handler in
// its second backoff (1.2s + 2s), the customer in its receive.
TEST_CASE("mistakes: unbounded_backoff answers too late: liveness at +2s, the handler asleep since +1.2s",
          "[mistakes][liveness]") {
  auto r = fifo("mistakes/unbounded_backoff");
  CHECK(r.verdict == sim::Verdict::liveness);
  CHECK(r.message == "liveness: monitor \"quote answered\" hot for 2s since +0s (bound 2s)");
  CHECK(r.elapsed() == 2s);
  REQUIRE(r.fibers.size() == 2);
  check_fiber(r.fibers[0], "main", sim::FiberState::blocked, "chan receive", "chan<lockstep::scenarios::Result<int>> #3 cap=1 len=0");
  check_fiber(r.fibers[1], "quote-handler", sim::FiberState::blocked, "sleep", "");
  CHECK(r.fibers[1].since == kSimulationEpoch + 1200ms);
  CHECK(r.graph.empty());
  caught_and_fixed("mistakes/unbounded_backoff");
}

TEST_CASE("mistakes: unguarded_counter races main's read with a courier's write, in the race-detector build only",
          "[mistakes][race]") {
  if (!named("mistakes/unguarded_counter").expect.checkable()) {  // fibers one at a time: no race to see
    auto e = explore(named("mistakes/unguarded_counter"), ExploreConfig{sim::Strategy::Kind::random, 32, 1, 3, 1000});
    CHECK(e.skipped);
    CHECK(render(e, true) == "skip mistakes/unguarded_counter  expects race, fiber \"main\" running: only the "
                             "race-detector build (LOCKSTEP_RACE_DETECTOR) sees data races\n");
    CHECK(fifo("mistakes/unguarded_counter_fixed").verdict == sim::Verdict::passed);
    return;
  }
  auto r = fifo("mistakes/unguarded_counter");
  CHECK(r.verdict == sim::Verdict::race);
  CHECK_THAT(r.message, Catch::Matches("race: data race: read by fiber 1 \"main\" at "
                                       "scenarios/mistakes/unguarded_counter.hpp:[0-9]+, unordered with an earlier "
                                       "write by fiber [2-4] \"courier-[1-3]\" at "
                                       "scenarios/mistakes/unguarded_counter.hpp:[0-9]+"));
  CHECK(r.elapsed() == 1s);
  caught_and_fixed("mistakes/unguarded_counter");
}
