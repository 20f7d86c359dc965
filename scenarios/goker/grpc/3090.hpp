// GoKer grpc/3090: the resolver wrapper's field is assigned after the
// resolver, during its Build, started a goroutine that reads it.
//
// Upstream: grpc/grpc-go pull request 3090,
// https://github.com/grpc/grpc-go/pull/3090 (GoBench
// goker/nonblocking/grpc/3090, data race).
//
// newCCResolverWrapper() sets ccr.resolver = rb.Build(ccr). Build() calls
// back UpdateState(), whose poll() starts a goroutine that calls
// resolveNow(), which reads ccr.resolver under ccr.mu; the assignment
// takes no lock.
//
// Verdict: race (only the race-detector build sees it), reported in
// "poll.func1" reading ccr.resolver after "TestGrpc3090.func1" assigned
// it. Every other build passes on every schedule: the goroutine waits for
// ccr.mu, which poll() holds, and once poll() releases it the test
// goroutine reaches the assignment with no scheduling point in between.
//
// Port differences from Go:
// - The Resolver interface held in ccr.resolver is a plain pointer to the
//   one resolver type (a nil pointer would be Go's nil interface; a call
//   through it throws, as Go panics).
// - The dial options and builder interface are the one resolver type.
// - Goroutines: "TestGrpc3090.func1", "poll.func1". time.Sleep is virtual.
//
// No fixed twin: the README states no fix.
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::grpc3090 {

using namespace std::chrono_literals;

struct CcResolverWrapper;

struct Resolver {
  CcResolverWrapper* cc = nullptr;

  Resolver* build(CcResolverWrapper* wrapper, const std::shared_ptr<CcResolverWrapper>& owner);
  void resolve_now() const {}
};

struct CcResolverWrapper {
  Resolver* resolver = nullptr;  // the racy field: assigned without mu
  Mutex mu;

  void resolve_now() {
    mu.lock();
    Resolver* r = resolver;  // the racing read
    if (!r) throw std::runtime_error("nil pointer dereference: ccr.resolver");
    r->resolve_now();
    mu.unlock();
  }
  void poll(const std::shared_ptr<CcResolverWrapper>& self) {
    mu.lock();
    go("poll.func1", [self] { self->resolve_now(); });
    mu.unlock();
  }
};

inline Resolver* Resolver::build(CcResolverWrapper* wrapper, const std::shared_ptr<CcResolverWrapper>& owner) {
  cc = wrapper;
  cc->poll(owner);  // UpdateState()
  return this;
}

inline void dial_context(const std::shared_ptr<Resolver>& rb) {
  auto ccr = std::make_shared<CcResolverWrapper>();
  ccr->resolver = rb->build(ccr.get(), ccr);  // the racing write
}

inline void run() {
  WaitGroup wg;
  wg.add(1);
  auto rb = std::make_shared<Resolver>();
  go("TestGrpc3090.func1", [rb, &wg] {
    dial_context(rb);
    sleep(5ms);
    wg.done();
  });
  wg.wait();
}

}  // namespace lockstep::scenarios::goker::grpc3090

namespace lockstep::scenarios {

inline Scenario goker_grpc3090() {
  return {"goker/grpc/3090", "grpc#3090: ccr.resolver is assigned after Build started a goroutine reading it",
          {sim::Verdict::race, "poll.func1", sim::FiberState::running, "", "data race"},
          "", &goker::grpc3090::run};
}

}  // namespace lockstep::scenarios
