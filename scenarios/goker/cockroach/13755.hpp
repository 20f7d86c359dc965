// GoKer cockroach#13755: query rows nobody closes leave their watcher waiting
// for the context forever. https://github.com/cockroachdb/cockroach/pull/13755
//
// Rows.initContextClose derives a cancellable context and starts awaitDone,
// which waits for its Done; the test never closes the rows, and close (which
// should cancel) does nothing in the buggy code.
//
// Verdict: `leak` on every schedule (FIFO included): fiber "awaitDone"
// blocked [chan receive] on the context's done channel.
// Fixed twin (goker/cockroach/13755_fixed): the kernel's `FIX: rs.close()`,
// with close cancelling the context (the line the kernel comments out).
//
// Port differences from Go: `ctx.Err()` passed to close is lockstep's Error
// (an exception_ptr); `go rs.awaitDone(ctx)` is the fiber "awaitDone";
// Rows.cancel is a std::optional<CancelFunc> (a CancelFunc cannot be nil);
// one flag picks the buggy or the fixed close.
#pragma once

#include <memory>
#include <optional>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::cockroach13755 {

struct Rows : std::enable_shared_from_this<Rows> {
  std::optional<CancelFunc> cancel;  // set by init_context_close
  bool fixed = false;

  void init_context_close(const Context& parent) {
    auto [ctx, c] = with_cancel(parent);
    cancel = c;
    go("awaitDone", [rs = shared_from_this(), ctx = ctx] { rs->await_done(ctx); });
  }
  void await_done(const Context& ctx) {
    ctx.done().recv();
    close(ctx.err());
  }
  void close(const Error& /*err*/) {
    if (fixed) (*cancel)();  // the buggy close leaves this line commented out
  }
};

inline void run(bool fixed) {
  auto rs = std::make_shared<Rows>();
  rs->fixed = fixed;
  rs->init_context_close(background());
  if (fixed) rs->close(nullptr);  // FIX: rs.close()
}

inline Scenario scenario() {
  return {"goker/cockroach/13755", "rows nobody closes: their context watcher waits forever",
          {sim::Verdict::leak, "awaitDone", sim::FiberState::blocked, "chan receive", "leak: main returned"},
          "goker/cockroach/13755_fixed", [] { run(false); }};
}

inline Scenario fixed_scenario() {
  return {"goker/cockroach/13755_fixed", "the test closes the rows, which cancels their context",
          {}, "goker/cockroach/13755", [] { run(true); }};
}

}  // namespace lockstep::scenarios::cockroach13755
