// GoKer kubernetes/80284: two goroutines install the exec authenticator's rotation callback at
// once.
//
// Upstream: kubernetes/kubernetes PR 80284 (https://github.com/kubernetes/kubernetes/pull/80284),
// client-go's exec credential plugin. GoBench: goker/nonblocking/kubernetes/80284.
// Bug: UpdateTransportConfig() assigns a.onRotate with no lock; two calls race on it.
//
// Verdict: `race` (race-detector build only): the second "UpdateTransportConfig" goroutine's
// write.
//
// Port: onRotate is a std::function<void()>, the bound method value d.CloseAll a lambda that
// holds the Dialer; the goroutines are named after the method they call. No fixed twin: neither
// the kernel nor its README describes the fix.
#pragma once

#include <functional>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_80284 {

struct Dialer {
  void close_all() {}
};

struct Authenticator {
  std::function<void()> on_rotate;  // BUG: written by every caller, unguarded
  void update_transport_config() {
    auto d = std::make_shared<Dialer>();
    on_rotate = [d] { d->close_all(); };
  }
};

inline void kernel() {
  WaitGroup wg;
  wg.add(2);
  auto a = std::make_shared<Authenticator>();
  for (int i = 0; i < 2; ++i)
    go("UpdateTransportConfig", [a, &wg] {
      a->update_transport_config();
      wg.done();
    });
  wg.wait();
}

inline Scenario scenario() {
  return {"goker/kubernetes/80284", "exec authenticator: two goroutines assign the rotation callback unguarded",
          {sim::Verdict::race, "UpdateTransportConfig", sim::FiberState::running, "", "data race"},
          "", &kernel};
}

}  // namespace lockstep::scenarios::goker_k8s_80284
