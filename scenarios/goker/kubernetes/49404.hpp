// GoKer kubernetes/49404: a test reads the flag its HTTP handler sets, with nothing ordering the
// two.
//
// Upstream: kubernetes/kubernetes PR 49404 (https://github.com/kubernetes/kubernetes/pull/49404),
// a proxy test with an httptest server. GoBench: goker/nonblocking/kubernetes/49404.
// Bug: the handler, run by the server's connection goroutine, writes `called`; the test's
// deferred check reads it as soon as StartTLS() has returned: a data race.
//
// Verdict: `race` (race-detector build only): the write in "conn.serve", after main's read.
//
// Port: the ServeMux, its one muxEntry, the Server and its http_Server are structs whose handler
// is a std::function; `called` is a plain bool in main's frame, shared by reference as Go's
// closure shares it; the deferred check is the read after StartTLS() (it formats nothing, as Go's
// result is discarded), observe()d (scenarios/goker/observe.hpp): g++ deletes an unused read
// before ThreadSanitizer instruments it, and an earlier port's was never reported. The handler
// takes main's shared_ptr to the mux by move: main's copy, dropped at the end of its scope (an
// acq_rel decrement after the read), was acquired by conn.serve's copy of the handler, ordering
// the write after the read, an edge Go does not have. time.Sleep(10ms) is virtual. No fixed twin: neither the kernel nor its
// README describes the fix.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/goker/observe.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_49404 {

using Handler = std::function<void()>;

struct ServeMux {
  std::vector<Handler> es;  // muxEntry{h}, appendSorted into an empty mux: one entry
  void handle(Handler h) { es.insert(es.begin(), std::move(h)); }
  void serve_http() const {
    if (!es.empty()) es.front()();  // match() returns the first entry
  }
};

struct HttpServer {
  Handler handler;
  void serve() const {  // newConn(); go c.serve()
    go("conn.serve", [h = handler] { h(); });
  }
};

struct Server {
  HttpServer config;
  WaitGroup wg;
  void start_tls() {  // goServe()
    wg.add(1);
    go("goServe.func1", [this] {
      config.serve();
      wg.done();
    });
  }
};

inline void kernel() {
  const bool expect_called = true;
  bool called = false;
  auto backend_server = std::make_shared<Server>();
  {
    auto backend_handler = std::make_shared<ServeMux>();
    backend_handler->handle([&called] { called = true; });  // the write
    backend_server->config.handler = [h = std::move(backend_handler)] { h->serve_http(); };  // moved: see Port
    backend_server->start_tls();
    goker::observe(called != expect_called);  // the deferred check's read
  }
  sleep(std::chrono::milliseconds(10));
}

inline Scenario scenario() {
  return {"goker/kubernetes/49404", "proxy test: the handler's flag read by the test with no ordering",
          {sim::Verdict::race, "conn.serve", sim::FiberState::running, "", "data race"},
          "", &kernel};
}

}  // namespace lockstep::scenarios::goker_k8s_49404
