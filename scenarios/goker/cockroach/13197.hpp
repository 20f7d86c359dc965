// GoKer cockroach#13197: a transaction nobody rolls back leaves its watcher
// waiting for the context forever. https://github.com/cockroachdb/cockroach/pull/13197
//
// DB.begin derives a cancellable context for the transaction and starts
// awaitDone, which waits for that context's Done; only Rollback cancels it,
// and the test returns without calling it.
//
// Verdict: `leak` on every schedule (FIFO included): fiber "awaitDone"
// blocked [chan receive] on the context's done channel.
// Fixed twin (goker/cockroach/13197_fixed): the test rolls the transaction
// back (Rollback -> rollback -> close -> cancel), as the fix does.
//
// Port differences from Go: `context.WithCancel` is with_cancel and its
// Done() a RecvChan<Empty>; `go tx.awaitDone()` is the fiber "awaitDone".
#pragma once

#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::cockroach13197 {

struct Tx {
  CancelFunc cancel;
  Context ctx;

  void await_done() const { ctx.done().recv(); }
  void rollback_tx() const { close(); }
  void close() const { cancel(); }
};

struct DB {
  std::shared_ptr<Tx> begin(const Context& parent) {
    auto [ctx, cancel] = with_cancel(parent);
    auto tx = std::make_shared<Tx>(Tx{cancel, ctx});
    go("awaitDone", [tx] { tx->await_done(); });
    return tx;
  }
};

inline void run(bool fixed) {
  DB db;
  std::shared_ptr<Tx> tx = db.begin(background());
  if (fixed) tx->rollback_tx();  // Rollback(): the fix
}

inline Scenario scenario() {
  return {"goker/cockroach/13197", "a transaction's context watcher waits forever: nobody rolls the transaction back",
          {sim::Verdict::leak, "awaitDone", sim::FiberState::blocked, "chan receive", "leak: main returned"},
          "goker/cockroach/13197_fixed", [] { run(false); }};
}

inline Scenario fixed_scenario() {
  return {"goker/cockroach/13197_fixed", "the transaction is rolled back, which cancels its context",
          {}, "goker/cockroach/13197", [] { run(true); }};
}

}  // namespace lockstep::scenarios::cockroach13197
