// Fixed twin of unbounded_backoff: the handler retries under the request's
// deadline (1.5 s, Go's context.WithTimeout), each backoff cut short by it,
// and answers "pricing unavailable" when it passes: the customer has its
// answer at +1.5s, within the 2 s the monitor allows. Passes on every
// schedule.
#pragma once

#include <chrono>

#include "lockstep.hpp"
#include "scenarios/mistakes/unbounded_backoff.hpp"
#include "scenarios/model.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/sleep_ctx.hpp"

namespace lockstep::scenarios {

inline void unbounded_backoff_fixed() {
  using namespace std::chrono_literals;
  Chan<Chan<Result<int>>> requests(0);
  WaitGroup handler;
  handler.go("quote-handler", [requests] {
    Chan<Result<int>> reply = *requests.recv();  // never closed
    auto [ctx, cancel] = with_timeout(background(), 1500ms);
    Result<int> quote = price_quote();
    for (Duration backoff = 1s; !quote.ok(); backoff *= 2) {
      if (Error err = sleep_ctx(ctx, backoff)) {
        quote = Result<int>::failure(wrap("pricing unavailable, ask again later", err));
        break;
      }
      quote = price_quote();
    }
    cancel();
    reply.send(quote);
  });
  Result<int> quote = answered_within(2s, requests);
  handler.wait();
  check(!quote.ok() && is_deadline_exceeded(quote.err), "the customer hears that pricing is unavailable");
  check(Clock::now() == kSimulationEpoch + 1500ms, "the answer came at the request's deadline");
}

inline Scenario unbounded_backoff_fixed_scenario() {
  return {"mistakes/unbounded_backoff_fixed", "the retries stop at the request's deadline, which answers in time",
          {}, "mistakes/unbounded_backoff", &unbounded_backoff_fixed};
}

}  // namespace lockstep::scenarios
