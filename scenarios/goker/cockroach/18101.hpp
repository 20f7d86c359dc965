// GoKer cockroach#18101: on cancellation restore stops reading, and the
// goroutine feeding it blocks in its send. https://github.com/cockroachdb/cockroach/pull/18101
//
// restore ranges over readyForImportCh (capacity 6), waiting for the
// context after each span; splitAndScatter sends 8 spans without watching
// the context. Once cancel() ends restore after the first span, 6 fit in the
// buffer and the last send blocks forever.
//
// Verdict: `leak` on every schedule (FIFO included): fiber "splitAndScatter"
// blocked [chan send].
// Fixed twin (goker/cockroach/18101_fixed): the fix's send selects on the
// context's Done too, and returns once it is closed.
//
// Port differences from Go: `go restore(ctx)` and `go cancel()` are the
// fibers "restore" and "cancel"; the goroutine restore starts is
// "splitAndScatter"; `defer close(ch)` is a close after the sends (nothing
// there can throw). restore's return value is unused, as in the test.
#pragma once

#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::cockroach18101 {

inline constexpr int kChanSize = 6;

inline void split_and_scatter(const Context& ctx, const Chan<bool>& ready_for_import, bool fixed) {
  for (int i = 0; i < kChanSize + 2; ++i) {
    if (!fixed) {
      ready_for_import.send(i != 0);  // BUG: blind to the context
      continue;
    }
    bool cancelled = false;
    select(on_send(ready_for_import, i != 0, [] {}), on_recv(ctx.done(), [&] { cancelled = true; }));
    if (cancelled) return;
  }
}

inline bool restore(const Context& ctx, bool fixed) {
  Chan<bool> ready_for_import(kChanSize);
  go("splitAndScatter", [ctx, ready_for_import, fixed] {
    split_and_scatter(ctx, ready_for_import, fixed);
    ready_for_import.close();
  });
  for (bool span : ready_for_import) {
    ctx.done().recv();  // a select with the one case <-ctx.Done()
    return span;
  }
  return true;
}

inline void run(bool fixed) {
  auto [ctx, cancel] = with_cancel(background());
  go("restore", [ctx = ctx, fixed] { restore(ctx, fixed); });
  go("cancel", [cancel = cancel] { cancel(); });
}

inline Scenario scenario() {
  return {"goker/cockroach/18101", "a cancelled reader stops; the goroutine feeding its channel blocks in a send",
          {sim::Verdict::leak, "splitAndScatter", sim::FiberState::blocked, "chan send", "leak: main returned"},
          "goker/cockroach/18101_fixed", [] { run(false); }};
}

inline Scenario fixed_scenario() {
  return {"goker/cockroach/18101_fixed", "the feeding goroutine's send also watches the context",
          {}, "goker/cockroach/18101", [] { run(true); }};
}

}  // namespace lockstep::scenarios::cockroach18101
