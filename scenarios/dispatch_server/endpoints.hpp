// The goroutine endpoints of courier-dispatch, on a cpp-httplib server.
//
//   GET /health/goroutines  200 application/json, one line:
//       {"goroutines": 3, "baseline": 0, "peak": 14, "load": "running"}
//     goroutines  lockstep::num_goroutines() now: goroutines started by go(),
//                 not httplib's own threads nor main
//     baseline    the count before the load started (0 in courier-dispatch)
//     peak        the most seen: sampled at each response of the load and at
//                 each call of this endpoint
//     load        "running", then "done" once every request was answered and
//                 the load's goroutines ended (LeakCheck::verify() returned):
//                 an answer that says "done" has goroutines == baseline,
//                 unless the program's leak check failed (exit status 1)
//   GET /debug/goroutines   200 text/plain: lockstep::goroutine_dump(), the
//       grouped dump ("goroutine dump at +1.2s (...): N goroutines in M groups").
//
// The handlers run on httplib's worker threads and only read: the count and
// the dump are safe to take from any thread, LoadStatus is std::atomic.
#pragma once

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cstddef>

#include "lockstep.hpp"

namespace lockstep::scenarios {

// LoadStatus: what /health/goroutines reports besides the live count.
struct LoadStatus {
  std::atomic<std::size_t> baseline{0};
  std::atomic<std::size_t> peak{0};
  std::atomic<bool> done{false};

  // observe() raises the peak to `goroutines` if higher.
  void observe(std::size_t goroutines) {
    std::size_t seen = peak.load();
    while (goroutines > seen && !peak.compare_exchange_weak(seen, goroutines)) {
    }
  }
};

inline std::string health_json(LoadStatus& status) {
  bool done = status.done.load();  // first: once done, the count read next is final
  std::size_t now = num_goroutines();
  status.observe(now);
  return fmt::format("{{\"goroutines\": {}, \"baseline\": {}, \"peak\": {}, \"load\": \"{}\"}}\n", now,
                     status.baseline.load(), status.peak.load(), done ? "done" : "running");
}

inline void add_goroutine_endpoints(httplib::Server& server, LoadStatus& status) {
  server.Get("/health/goroutines", [&status](const httplib::Request&, httplib::Response& res) {
    res.set_content(health_json(status), "application/json");
  });
  server.Get("/debug/goroutines", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(goroutine_dump(), "text/plain");
  });
}

}  // namespace lockstep::scenarios
