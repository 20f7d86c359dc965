// sleep_ctx(ctx, d): sleep for d unless ctx ends first (Go's
//   select { case <-time.After(d): case <-ctx.Done(): return ctx.Err() }).
// Returns null after the full sleep, else ctx.err(). The timer is stopped on
// the way out: a pending timer would keep virtual time moving toward it.
#pragma once

#include "lockstep.hpp"

namespace lockstep::scenarios {

[[nodiscard]] inline Error sleep_ctx(const Context& ctx, Duration d) {
  Timer t(d);
  Error err;
  select(on_recv(t.chan()), on_recv(ctx.done(), [&] { err = ctx.err(); }));
  t.stop();
  return err;
}

}  // namespace lockstep::scenarios
