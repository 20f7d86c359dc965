// GoKer cockroach#584: a loop breaks out while still holding the gossip
// mutex. https://github.com/cockroachdb/cockroach/pull/584
//
// bootstrap and manage each lock g.mu in a loop and break out when gossip is
// closed, without unlocking (a defer cannot help inside a loop). The
// goroutine calls bootstrap, then manage, whose Lock waits for itself.
//
// Verdict: `leak` on every schedule (FIFO included; the test returns at
// once): fiber "gossip" blocked [sync.Mutex.Lock] on the mutex it holds.
// Fixed twin (goker/cockroach/584_fixed): the fix unlocks before breaking.
//
// Port differences from Go: the anonymous goroutine running bootstrap and
// manage is the fiber "gossip"; Gossip is shared_ptr-owned since the
// goroutine outlives the test function.
#pragma once

#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::cockroach584 {

struct Gossip {
  Mutex mu;
  bool closed = false;  // guarded by mu
  bool fixed = false;

  void bootstrap() { loop(); }
  void manage() { loop(); }
  // loop() is the shape bootstrap and manage share.
  void loop() {
    for (;;) {
      mu.lock();
      if (closed) {
        if (fixed) mu.unlock();  // BUG when missing: breaks out holding mu
        break;
      }
      mu.unlock();
      break;
    }
  }
};

inline void run(bool fixed) {
  auto g = std::make_shared<Gossip>();
  g->closed = true;
  g->fixed = fixed;
  go("gossip", [g] {
    g->bootstrap();
    g->manage();
  });
}

inline Scenario scenario() {
  return {"goker/cockroach/584", "a loop breaks out holding the mutex; the next Lock waits for itself",
          {sim::Verdict::leak, "gossip", sim::FiberState::blocked, "sync.Mutex.Lock", "leak: main returned"},
          "goker/cockroach/584_fixed", [] { run(false); }};
}

inline Scenario fixed_scenario() {
  return {"goker/cockroach/584_fixed", "the mutex is unlocked before breaking out of the loop",
          {}, "goker/cockroach/584", [] { run(true); }};
}

}  // namespace lockstep::scenarios::cockroach584
