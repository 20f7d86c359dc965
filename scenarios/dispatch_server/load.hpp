// run_load(): a bounded synthetic load on the dispatch service, the part of
// courier-dispatch that is the same in a simulation and on real threads.
//
//   LoadConfig config{.requests = 200, .concurrency = 8, .latency_scale = 0.1};
//   LoadSummary s = run_load(config, stop);   // blocks until every request is answered
//   fmt::print("{}", render(config, s));
//
// - The service is scenarios/service/dispatch.hpp, unmodified, with
//   `concurrency` request slots, over the fake LookupStore with its latencies
//   (20ms healthy, 2s slow) and the requests' 1s deadline multiplied by
//   `latency_scale`; route planning keeps its fixed 5ms.
// - With `faults` on, each lookup's fate comes from decide(3): the schedule's
//   decisions in a simulation (FIFO: all healthy), the thread runtime's
//   random generator on real threads (a third each healthy, slow, failing).
// - A client goroutine sends requests 1..N as fast as the service takes them
//   (backpressure holds it at `concurrency` in flight); every tenth names an
//   unknown courier and fails. Every request's context is `stop`: cancelling
//   it (courier-dispatch does on SIGTERM) stops the client sending and ends
//   the requests in flight `cancelled`.
// - The caller's thread reads the responses; at each one it samples
//   num_goroutines() (the load's peak) and calls on_response(count).
// Returns once the service has answered every request sent and closed its
// responses, and both the service and the client goroutines have returned.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "lockstep.hpp"
#include "scenarios/service/dispatch.hpp"

namespace lockstep::scenarios {

struct LoadConfig {
  int requests = 100;
  int concurrency = 8;          // the service's request slots
  double latency_scale = 1.0;   // multiplies store latencies and the deadline
  bool faults = true;           // draw slow and failing lookups from decide()
};

// Every kUnknownCourierEvery-th request names courier -1 ("not found").
inline constexpr int kUnknownCourierEvery = 10;

struct LoadSummary {
  int sent = 0;      // requests the client sent (fewer than asked if stopped)
  int answered = 0;  // responses read
  Metrics metrics;   // the service's, after the load
  std::size_t peak_goroutines = 0;  // num_goroutines() sampled at each response
  Duration elapsed{};
};

// scale() multiplies a duration, to the clock's resolution.
inline Duration scale(Duration d, double factor) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double, Duration::period>(d) * factor);
}

inline StoreConfig load_store_config(const LoadConfig& c) {
  StoreConfig healthy;
  return StoreConfig{scale(healthy.latency, c.latency_scale), scale(healthy.slow_latency, c.latency_scale),
                     c.faults};
}

// load_request() is request `id` of the load. Ids stay below the store's
// always-slow ids (1000 and up), so only drawn faults make a lookup slow.
inline Request load_request(int id, const LoadConfig& c, const Context& stop) {
  int courier = id % kUnknownCourierEvery == 0 ? -1 : id % 1000;
  return Request{id, courier, (100 + id) % 1000, scale(Request{}.deadline, c.latency_scale), stop};
}

inline LoadSummary run_load(const LoadConfig& c, const Context& stop,
                            const std::function<void(std::size_t goroutines)>& on_response = {}) {
  LookupStore store(load_store_config(c));
  DispatchService service(store, c.concurrency);
  Chan<Request> requests(0);
  Chan<Response> responses(0);
  LoadSummary summary;
  TimePoint start = Clock::now();
  WaitGroup running;
  running.go("dispatch", [&] { service.serve(requests, responses); });
  running.go("load-client", [&] {
    for (int id = 1; id <= c.requests; ++id) {
      bool sent = false;
      select(on_send(requests, load_request(id, c, stop), [&] { sent = true; }), on_recv(stop.done()));
      if (!sent) break;
      ++summary.sent;  // written here only, read after running.wait()
    }
    requests.close();
  });
  for (Response r : responses) {
    ++summary.answered;
    std::size_t now = num_goroutines();
    summary.peak_goroutines = std::max(summary.peak_goroutines, now);
    if (on_response) on_response(now);
  }
  running.wait();
  summary.elapsed = Clock::now() - start;
  summary.metrics = service.metrics();
  return summary;
}

// render() is the load's summary, two lines:
//   served 20 of 20 requests in 135ms: 18 assigned, 2 failed, 0 timed out, 0 cancelled
//   peak goroutines 14, peak request goroutines 4 (limit 4), peak lookups 8
inline std::string render(const LoadConfig& c, const LoadSummary& s) {
  const auto& n = s.metrics.by_outcome;
  auto count = [&](Outcome o) { return n[static_cast<std::size_t>(o)]; };
  return fmt::format(
      "served {} of {} requests in {}: {} assigned, {} failed, {} timed out, {} cancelled\n"
      "peak goroutines {}, peak request goroutines {} (limit {}), peak lookups {}\n",
      s.answered, c.requests, format_duration(s.elapsed), count(Outcome::assigned), count(Outcome::failed),
      count(Outcome::timed_out), count(Outcome::cancelled), s.peak_goroutines, s.metrics.peak_goroutines,
      c.concurrency, s.metrics.peak_lookups);
}

}  // namespace lockstep::scenarios
