// DispatchService: the courier-dispatch service that ties the patterns
// together.
//
//   LookupStore store(StoreConfig{.faults = true});
//   DispatchService service(store, 4);            // at most 4 requests in flight
//   go("dispatch", [&] { service.serve(requests, responses); });
//   for (Response r : responses) ...               // one per request, then closed
//
// - Each request (courier id, parcel id, deadline, and the client's context)
//   gets exactly one response: an assignment (build_assignment: courier and
//   parcel loaded concurrently, route planned after both) or a clear error.
// - Backpressure: a semaphore of max_in_flight slots is acquired *before* a
//   request's goroutine starts, so the intake loop stops reading requests
//   while the limit is reached and the clients' sends wait. Goroutines never
//   grow with the load (compare mistakes/unbounded_fanout).
// - Cancellation: a request's work runs under with_timeout(client ctx,
//   deadline); a client that cancels, or the deadline, stops its lookups at
//   once (outcome cancelled / timed_out).
// - Metrics: live and peak request goroutines, lookups in flight (the
//   store's counter) and requests by outcome, all Atomic: readable anytime.
// serve() returns once `requests` is closed and every request is answered;
// it closes `responses` last.
#pragma once

#include <fmt/format.h>

#include <array>
#include <memory>
#include <optional>
#include <string>

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/patterns/active_lookups.hpp"
#include "scenarios/patterns/build_assignment.hpp"
#include "scenarios/service/lookup_store.hpp"

namespace lockstep::scenarios {

struct Request {
  int id = 0;
  int courier_id = 0;
  int parcel_id = 0;
  Duration deadline = std::chrono::seconds(1);  // from when its work starts
  Context ctx;                                  // the client's; background() by default
};

enum class Outcome { assigned, failed, timed_out, cancelled };
inline constexpr std::size_t kOutcomes = 4;

inline std::string to_string(Outcome o) {
  switch (o) {
    case Outcome::assigned: return "assigned";
    case Outcome::failed: return "failed";
    case Outcome::timed_out: return "timed out";
    case Outcome::cancelled: return "cancelled";
  }
  return "?";
}

struct Response {
  int request_id = 0;
  Outcome outcome = Outcome::failed;
  std::optional<Assignment> assignment;  // set iff assigned
  std::string error;                     // set iff not assigned
};

struct Metrics {
  std::int64_t live_goroutines = 0;  // request goroutines alive now
  std::int64_t peak_goroutines = 0;
  std::int64_t active_lookups = 0;
  std::int64_t peak_lookups = 0;
  std::array<std::int64_t, kOutcomes> by_outcome{};  // indexed by Outcome
};

class DispatchService {
 public:
  DispatchService(LookupStore& store, int max_in_flight) : store_(store), slots_(max_in_flight) {}

  void serve(RecvChan<Request> requests, SendChan<Response> responses) {
    auto running = std::make_shared<WaitGroup>();
    while (auto request = requests.recv()) {
      slots_.acquire();  // backpressure: wait for a free slot before reading on
      running->go(fmt::format("request-{}", request->id), [this, r = std::move(*request), responses] {
        {
          auto counted = handlers_.enter();
          Response response = handle(r);
          by_outcome_[static_cast<std::size_t>(response.outcome)].fetch_add(1);
          responses.send(std::move(response));
        }
        // Last: a slot freed while this goroutine still counted as live let a
        // fifth one start (random schedules found peak 5 with 4 slots).
        slots_.release();
      });
    }
    running->wait();
    responses.close();
  }

  Metrics metrics() const {
    Metrics m;
    m.live_goroutines = handlers_.now();
    m.peak_goroutines = handlers_.peak();
    m.active_lookups = store_.active().now();
    m.peak_lookups = store_.active().peak();
    for (std::size_t i = 0; i < kOutcomes; ++i) m.by_outcome[i] = by_outcome_[i].load();
    return m;
  }

 private:
  Response handle(const Request& r) {
    auto [ctx, cancel] = with_timeout(r.ctx, r.deadline);
    auto result = build_assignment(ctx, store_, r.courier_id, r.parcel_id);
    cancel();
    Response response{r.id, Outcome::assigned, result.value, ""};
    if (result.ok()) return response;
    response.error = error_message(result.err);
    if (is_deadline_exceeded(result.err)) response.outcome = Outcome::timed_out;
    else if (is_canceled(result.err)) response.outcome = Outcome::cancelled;
    else response.outcome = Outcome::failed;
    return response;
  }

  LookupStore& store_;
  Semaphore slots_;
  InFlight handlers_;
  std::array<Atomic<std::int64_t>, kOutcomes> by_outcome_{};
};

}  // namespace lockstep::scenarios
