// The dispatch service: one response per request, a clear error for what
// cannot be assigned, backpressure at the in-flight limit, cancellation,
// and metrics that agree with the responses. Exact under FIFO (all lookups
// healthy: 20ms each, planning 5ms); checked on 200 schedules with faults.
#include "scenarios/service/dispatch_scenario.hpp"

#include "scenarios/pattern_checks.hpp"
#include "scenarios/tests/support.hpp"

using namespace std::chrono_literals;
using namespace lockstep;
using namespace lockstep::scenarios;

namespace {
std::int64_t count(const Metrics& m, Outcome o) { return m.by_outcome[static_cast<std::size_t>(o)]; }
}  // namespace

TEST_CASE("dispatch: healthy store: ten assigned, the unknown courier failed, the cancelled one cancelled", "[service][dispatch]") {
  // Requests every 10ms, each done 25ms after it starts, so never more than
  // 3 run at once and the last (sent at 110ms) ends at 135ms.
  DispatchRun run;
  auto r = test::run_fifo([&] {
    run = run_dispatch(StoreConfig{});
    CHECK(since_start() == 135ms);
    check_dispatch(run);
  });
  INFO(sim::to_string(r));
  REQUIRE(r.verdict == sim::Verdict::passed);
  CHECK(count(run.metrics, Outcome::assigned) == 10);
  CHECK(count(run.metrics, Outcome::failed) == 1);
  CHECK(count(run.metrics, Outcome::cancelled) == 1);
  CHECK(count(run.metrics, Outcome::timed_out) == 0);
  const Response& failed = run.responses.at(kUnknownCourierRequest).front();
  CHECK(failed.outcome == Outcome::failed);
  CHECK(failed.error == "build assignment for courier -1 and parcel 105: load courier -1: courier -1 not found");
  CHECK(run.responses.at(kCancelledRequest).front().error == "context canceled");
  CHECK(*run.responses.at(2).front().assignment == Assignment{Courier{2, 2}, Parcel{102, 2}, Route{2, 102, 10min}});
  CHECK(run.metrics.peak_goroutines == 3);
  CHECK(run.metrics.live_goroutines == 0);
  CHECK(run.metrics.active_lookups == 0);
}

TEST_CASE("dispatch: at the limit, intake stops and clients wait (backpressure)", "[service][dispatch]") {
  // One slot: requests run one after another, 25ms each, however fast the
  // client sends; one request goroutine at a time. 12 x 25ms, less 5ms for
  // request 5 (fails before planning) and 25ms for request 8 (cancelled
  // while it waited for the slot): 270ms.
  DispatchRun run;
  auto r = test::run_fifo([&] { run = run_dispatch(StoreConfig{}, 1); });
  INFO(sim::to_string(r));
  REQUIRE(r.verdict == sim::Verdict::passed);
  CHECK(run.metrics.peak_goroutines == 1);
  CHECK(run.metrics.peak_lookups == 2);
  CHECK(count(run.metrics, Outcome::assigned) == 10);
  CHECK(r.elapsed() == 270ms);
  // main, dispatch, client, one request and its two loads, the cancel's after_func.
  CHECK(r.peak_fibers == 7);
}

TEST_CASE("dispatch: slow lookups time out at the request's deadline", "[service][dispatch]") {
  // Every lookup slow (2s) against a 1s deadline: all but the cancelled
  // request time out with the context's own error.
  DispatchRun run;
  auto slow = test::run_fifo([&] { run = run_dispatch(StoreConfig{.latency = 2s}); });
  REQUIRE(slow.verdict == sim::Verdict::passed);
  CHECK(count(run.metrics, Outcome::timed_out) == 11);
  CHECK(count(run.metrics, Outcome::cancelled) == 1);
  CHECK(run.responses.at(1).front().error == "context deadline exceeded");
}

TEST_CASE("dispatch: with store faults drawn by the schedule, every invariant holds", "[service][dispatch][explore]") {
  // 200 schedules (random and PCT): slow and failing lookups in every mix;
  // check_dispatch() throws, ending the run with `exception`, if anything breaks.
  test::passes_everywhere(&dispatch_service);
}
