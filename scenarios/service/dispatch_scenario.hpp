// The dispatch service under load, with its checker kept apart from it.
//
// run_dispatch() starts the service (at most 4 requests in flight) and a
// client that sends 12 requests, one every 10 ms, and reads every response:
//   - request 5 names an unknown courier (-1): it must never be assigned;
//   - request 8's client cancels 10 ms after sending it: it must end
//     cancelled (no lookup can answer before 20 ms).
// check_dispatch() then checks what must hold on every schedule, whatever
// the store's drawn faults: one response per request; an assignment matches
// its request; the metrics agree with the responses; no more than 4 request
// goroutines and 8 lookups were ever in flight; nothing is left running.
#pragma once

#include <fmt/format.h>

#include <map>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/service/dispatch.hpp"

namespace lockstep::scenarios {

inline constexpr int kDispatchRequests = 12;
inline constexpr int kDispatchInFlight = 4;
inline constexpr int kUnknownCourierRequest = 5;
inline constexpr int kCancelledRequest = 8;

struct DispatchRun {
  std::map<int, Request> requests;                // by id
  std::map<int, std::vector<Response>> responses;  // by request id
  Metrics metrics;
};

inline Request dispatch_request(int id) {
  Request r{id, id == kUnknownCourierRequest ? -1 : id, 100 + id, std::chrono::seconds(1), background()};
  return r;
}

inline DispatchRun run_dispatch(StoreConfig config, int max_in_flight = kDispatchInFlight) {
  using namespace std::chrono_literals;
  LookupStore store(config);
  DispatchService service(store, max_in_flight);
  DispatchRun run;
  Chan<Request> requests(0);
  Chan<Response> responses(0);
  WaitGroup fibers;
  fibers.go("dispatch", [&] { service.serve(requests, responses); });
  fibers.go("client", [&] {
    for (int id = 1; id <= kDispatchRequests; ++id) {
      Request r = dispatch_request(id);
      std::optional<CancelFunc> cancel;
      if (id == kCancelledRequest) {
        auto [ctx, cancel_request] = with_cancel(background());
        r.ctx = ctx;
        cancel = cancel_request;
      }
      run.requests[id] = r;
      requests.send(r);
      if (cancel) after_func(10ms, [cancel = *cancel] { cancel(); });
      sleep(10ms);
    }
    requests.close();
  });
  for (Response r : responses) run.responses[r.request_id].push_back(r);
  fibers.wait();
  run.metrics = service.metrics();
  return run;
}

inline void check_dispatch(const DispatchRun& run) {
  check(run.responses.size() == kDispatchRequests,
        fmt::format("every request is answered ({} of {})", run.responses.size(), kDispatchRequests));
  std::array<std::int64_t, kOutcomes> counted{};
  for (const auto& [id, answers] : run.responses) {
    check(answers.size() == 1, fmt::format("request {} is answered once ({} answers)", id, answers.size()));
    const Response& r = answers.front();
    const Request& q = run.requests.at(id);
    ++counted[static_cast<std::size_t>(r.outcome)];
    if (r.outcome == Outcome::assigned) {
      check(r.assignment && r.error.empty(), fmt::format("request {}: an assignment and no error", id));
      check(r.assignment->courier.id == q.courier_id && r.assignment->parcel.id == q.parcel_id,
            fmt::format("request {} is assigned the courier and parcel it asked for", id));
    } else {
      check(!r.assignment && !r.error.empty(), fmt::format("request {}: an error and no assignment", id));
    }
  }
  check(run.responses.at(kUnknownCourierRequest).front().outcome != Outcome::assigned,
        "a request for an unknown courier is never assigned");
  check(run.responses.at(kCancelledRequest).front().outcome == Outcome::cancelled,
        fmt::format("a request its client cancelled ends cancelled (it ended {})",
                    to_string(run.responses.at(kCancelledRequest).front().outcome)));
  const Metrics& m = run.metrics;
  check(m.by_outcome == counted, "the metrics count each outcome as the responses do");
  check(m.peak_goroutines <= kDispatchInFlight,
        fmt::format("at most {} request goroutines at once (peak {})", kDispatchInFlight, m.peak_goroutines));
  check(m.peak_lookups <= 2 * kDispatchInFlight,
        fmt::format("at most {} lookups at once (peak {})", 2 * kDispatchInFlight, m.peak_lookups));
  check(m.live_goroutines == 0 && m.active_lookups == 0, "nothing is left in flight once served");
}

inline void dispatch_service() { check_dispatch(run_dispatch(StoreConfig{.faults = true})); }

inline Scenario dispatch_service_scenario() {
  return {"service/dispatch", "12 requests, 4 in flight, store faults drawn by the schedule, one cancel",
          {}, "", &dispatch_service};
}

}  // namespace lockstep::scenarios
