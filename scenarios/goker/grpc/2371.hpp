// GoKer grpc/2371: a resolver watcher delivers addresses to a ClientConn
// that Close() has already torn down: a nil balancer wrapper is
// dereferenced.
//
// Upstream: grpc/grpc-go pull request 2371,
// https://github.com/grpc/grpc-go/pull/2371 (GoBench
// goker/nonblocking/grpc/2371, "misuse channel"; the panic is a nil
// pointer dereference).
//
// Dial() starts the resolver's watcher, which calls handleServiceConfig():
// under cc.mu it hands the addresses to cc.balancerWrapper. The test closes
// each connection at once in another goroutine; Close() sets
// balancerWrapper to nil under cc.mu, and a watcher that takes cc.mu after
// it calls a method on nil.
//
// Verdict: exception, in "watcher" (running), message "nil pointer
// dereference: cc.balancerWrapper". FIFO runs each watcher before its
// Close() and passes.
//
// Port differences from Go:
// - Go's nil pointer dereference panic is a check that throws
//   std::runtime_error (C++ would have undefined behaviour).
// - Goroutines: "watcher" (ccResolverWrapper.watcher), "Close".
//   time.Sleep(100ms) is virtual.
//
// No fixed twin: the README states no fix.
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::grpc2371 {

using namespace std::chrono_literals;

struct CcBalancerWrapper {
  Chan<Empty> resolver_update_ch{1};

  void handle_resolved_addrs() const {
    (void)resolver_update_ch.try_recv();  // drain a stale update
    resolver_update_ch.send(Empty{});
  }
};

struct ClientConn {
  RWMutex mu;
  std::shared_ptr<CcBalancerWrapper> balancer_wrapper;  // guarded by mu
  bool resolver_wrapper = false;                        // guarded by mu; the wrapper is only its watcher

  void handle_service_config() {
    mu.lock();
    if (!balancer_wrapper) throw std::runtime_error("nil pointer dereference: cc.balancerWrapper");
    balancer_wrapper->handle_resolved_addrs();
    mu.unlock();
  }
  void close() {
    mu.lock();
    resolver_wrapper = false;
    balancer_wrapper = nullptr;
    mu.unlock();
  }
};

inline std::shared_ptr<ClientConn> dial() {
  auto cc = std::make_shared<ClientConn>();
  cc->resolver_wrapper = true;
  cc->balancer_wrapper = std::make_shared<CcBalancerWrapper>();
  go("watcher", [cc] { cc->handle_service_config(); });  // resolverWrapper.start()
  return cc;
}

inline void run() {
  for (int i = 0; i < 10; ++i) {
    auto cc = dial();
    go("Close", [cc] { cc->close(); });
  }
  sleep(100ms);
}

}  // namespace lockstep::scenarios::goker::grpc2371

namespace lockstep::scenarios {

inline Scenario goker_grpc2371() {
  return {"goker/grpc/2371", "grpc#2371: a resolver watcher uses the balancer wrapper Close already cleared",
          {sim::Verdict::exception, "watcher", sim::FiberState::running, "",
           "nil pointer dereference: cc.balancerWrapper"},
          "", &goker::grpc2371::run};
}

}  // namespace lockstep::scenarios
