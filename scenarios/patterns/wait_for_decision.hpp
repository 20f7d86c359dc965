// wait_for_decision(): wait for whichever comes first of a courier's
// decision, an error from the offer service, a timeout, or the caller's
// cancellation. Go's four-case select:
//
//   select {
//   case d := <-decisions: ...
//   case err := <-errs:    ...
//   case <-timer.C:        ...
//   case <-ctx.Done():     ...
//   }
//
// The timer is a Timer (not after()) so it can be stopped on the way out: a
// pending timer would keep virtual time moving toward it. A closed decision
// or error channel counts as a failure ("offer service went away"), never as
// a decision.
#pragma once

#include <string>

#include "lockstep.hpp"
#include "scenarios/model.hpp"

namespace lockstep::scenarios {

struct Decision {
  int courier_id = 0;
  bool accepted = false;
};

enum class DecisionOutcome { accepted, declined, failed, timed_out, cancelled };

inline std::string to_string(DecisionOutcome o) {
  switch (o) {
    case DecisionOutcome::accepted: return "accepted";
    case DecisionOutcome::declined: return "declined";
    case DecisionOutcome::failed: return "failed";
    case DecisionOutcome::timed_out: return "timed out";
    case DecisionOutcome::cancelled: return "cancelled";
  }
  return "?";
}

inline DecisionOutcome wait_for_decision(const Context& ctx, RecvChan<Decision> decisions, RecvChan<Error> errors,
                                         Duration timeout) {
  Timer timer(timeout);
  DecisionOutcome outcome = DecisionOutcome::failed;
  select(on_recv(decisions,
                 [&](std::optional<Decision> d) {
                   if (d) outcome = d->accepted ? DecisionOutcome::accepted : DecisionOutcome::declined;
                 }),
         on_recv(errors, [&] { outcome = DecisionOutcome::failed; }),
         on_recv(timer.chan(), [&] { outcome = DecisionOutcome::timed_out; }),
         on_recv(ctx.done(), [&] { outcome = DecisionOutcome::cancelled; }));
  timer.stop();
  return outcome;
}

}  // namespace lockstep::scenarios
