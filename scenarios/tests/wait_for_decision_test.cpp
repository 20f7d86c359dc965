// wait_for_decision: each of the four cases wins when it comes first, at its
// exact virtual time; the timer is stopped whatever wins (a passed verdict
// with nothing pending).
#include "scenarios/patterns/wait_for_decision.hpp"

#include "scenarios/pattern_checks.hpp"
#include "scenarios/tests/support.hpp"

using namespace std::chrono_literals;
using namespace lockstep;
using namespace lockstep::scenarios;

namespace {

// decide_after() runs wait_for_decision (5s timeout) against one event.
DecisionOutcome decide_after(Duration when, int event) {
  Chan<Decision> decisions(1);
  Chan<Error> errors(1);
  auto [ctx, cancel] = with_cancel(background());
  after_func(when, [=, cancel = cancel] {
    if (event == 0) decisions.send(Decision{7, true});
    if (event == 1) decisions.send(Decision{7, false});
    if (event == 2) errors.send(make_error("offer service down"));
    if (event == 3) cancel();
  });
  auto outcome = wait_for_decision(ctx, decisions, errors, 5s);
  cancel();
  return outcome;
}

}  // namespace

TEST_CASE("wait_for_decision: the first of decision, error, timeout and cancel wins", "[patterns][wait_for_decision]") {
  auto r = test::run_fifo([] {
    CHECK(decide_after(3s, 0) == DecisionOutcome::accepted);
    CHECK(since_start() == 3s);
    CHECK(decide_after(1s, 1) == DecisionOutcome::declined);
    CHECK(since_start() == 4s);
    CHECK(decide_after(2s, 2) == DecisionOutcome::failed);
    CHECK(since_start() == 6s);
    CHECK(decide_after(1s, 3) == DecisionOutcome::cancelled);
    CHECK(since_start() == 7s);
    CHECK(decide_after(6s, 0) == DecisionOutcome::timed_out);  // the decision comes too late
    CHECK(since_start() == 12s);
  });
  // The late decision's after_func still fires at 13s: the run ends at 12s
  // with it discarded, not leaked.
  CHECK(r.verdict == sim::Verdict::passed);
  CHECK(r.elapsed() == 12s);
}
