// GoKer cockroach#25456: a check "is the store draining?" that blocks until
// it is. https://github.com/cockroachdb/cockroach/pull/25456
//
// When a consistency check fails, the queue asks whether the store is
// draining by receiving from the stopper's quiesce channel: a receive that
// blocks until the store actually drains, which in the test it never does.
//
// Verdict: `deadlock` on every schedule (FIFO included): fiber "main"
// blocked [chan receive] on the quiesce channel; there is no other fiber.
// Fixed twin (goker/cockroach/25456_fixed): the fix's check is a select with
// a default, which reads "not draining" at once.
//
// Port differences from Go: `chan struct{}` is Chan<Empty>; the select with
// a default is try_recv(); the testContext, Store and Replica wiring is kept.
#pragma once

#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::cockroach25456 {

struct Stopper {
  Chan<Empty> quiescer{0};
  RecvChan<Empty> should_quiesce() const { return quiescer; }
};

struct Replica;

struct ConsistencyQueue {
  bool fixed = false;
  void process(const Replica& repl) const;
};

struct Store {
  Stopper* stopper = nullptr;
  ConsistencyQueue consistency_queue;
  void start(Stopper* s) { stopper = s; }
};

struct Replica {
  Store* store = nullptr;
};

inline void ConsistencyQueue::process(const Replica& repl) const {
  if (fixed)
    (void)repl.store->stopper->should_quiesce().try_recv();  // draining or not, go on
  else
    repl.store->stopper->should_quiesce().recv();  // BUG: waits until the store drains
}

struct TestContext {
  std::unique_ptr<Store> store;
  Replica repl;
  void start_with_store_config(Stopper* stopper) {
    if (!store) store = std::make_unique<Store>();
    store->start(stopper);
    repl.store = store.get();
  }
};

inline void run(bool fixed) {
  Stopper stopper;
  TestContext tc;
  tc.start_with_store_config(&stopper);
  tc.store->consistency_queue.fixed = fixed;
  for (int i = 0; i < 2; ++i) tc.store->consistency_queue.process(tc.repl);
}

inline Scenario scenario() {
  return {"goker/cockroach/25456", "a check whether the store drains blocks until it does",
          {sim::Verdict::deadlock, "main", sim::FiberState::blocked, "chan receive",
           "deadlock: all fibers are blocked"},
          "goker/cockroach/25456_fixed", [] { run(false); }};
}

inline Scenario fixed_scenario() {
  return {"goker/cockroach/25456_fixed", "the draining check does not block",
          {}, "goker/cockroach/25456", [] { run(true); }};
}

}  // namespace lockstep::scenarios::cockroach25456
