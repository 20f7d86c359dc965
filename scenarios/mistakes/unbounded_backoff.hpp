// Mistake: a retry loop whose backoff outgrows the caller's patience.
//
// A customer asks the dispatcher for a delivery quote and must be answered
// within 2 s ("every accepted request is answered within 2s"). The pricing
// service is down until +30s; each call takes 100 ms and fails. The quote
// handler retries with a doubling backoff (1 s, 2 s, 4 s, ...) and no
// deadline, so the answer comes at +31.5s. Nothing blocks forever, nothing
// leaks and time moves: no other detector sees it. Only a liveness monitor
// does: the customer's "quote answered", hot from the request to the reply.
//
// Caught by: the `liveness` verdict on every schedule, at +2s exactly, while
// the handler sleeps in its second backoff (since +1.2s):
//   liveness: monitor "quote answered" hot for 2s since +0s (bound 2s)
//   1 fiber blocked [sleep] at scenarios/mistakes/unbounded_backoff.hpp:...
//     fiber 2 "quote-handler" since +1.2s
// Fixed twin: unbounded_backoff_fixed.hpp (the handler retries within the
// request's deadline and answers "unavailable" when it passes).
#pragma once

#include <chrono>

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

// The pricing service: each call takes 100 ms; down until +30s, then 1250 cents.
inline Result<int> price_quote() {
  using namespace std::chrono_literals;
  sleep(100ms);
  if (Clock::now() < kSimulationEpoch + 30s) return Result<int>::failure(make_error("pricing unavailable"));
  return Result<int>::success(1250);
}

// answered_within() is the customer: it asks once and waits for the reply,
// the monitor hot meanwhile. Returns the reply.
inline Result<int> answered_within(Duration bound, const Chan<Chan<Result<int>>>& requests) {
  sim::Monitor answered("quote answered", bound);
  answered.hot();
  Chan<Result<int>> reply(1);
  requests.send(reply);
  Result<int> quote = *reply.recv();  // never closed
  answered.cold();
  return quote;
}

inline void unbounded_backoff() {
  using namespace std::chrono_literals;
  Chan<Chan<Result<int>>> requests(0);
  WaitGroup handler;
  handler.go("quote-handler", [requests] {
    Chan<Result<int>> reply = *requests.recv();  // never closed
    Result<int> quote = price_quote();
    for (Duration backoff = 1s; !quote.ok(); backoff *= 2) {
      sleep(backoff);  // BUG: no deadline; the backoff soon exceeds what the customer waits
      quote = price_quote();
    }
    reply.send(quote);
  });
  Result<int> quote = answered_within(2s, requests);
  handler.wait();
  check(quote.ok(), "the quote came through");
}

inline Scenario unbounded_backoff_scenario() {
  return {"mistakes/unbounded_backoff", "a retry loop with no deadline answers 30 s after the 2 s the customer waits",
          {sim::Verdict::liveness, "quote-handler", sim::FiberState::blocked, "sleep",
           "liveness: monitor \"quote answered\" hot for 2s"},
          "mistakes/unbounded_backoff_fixed", &unbounded_backoff};
}

}  // namespace lockstep::scenarios
