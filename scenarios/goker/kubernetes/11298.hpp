// GoKer kubernetes/11298: a condition variable signalled before anyone waits on it, by a loop
// that then waits for the waiter.
//
// Upstream: kubernetes/kubernetes PR 11298 (https://github.com/kubernetes/kubernetes/pull/11298),
// the util notifier. GoBench: goker/blocking/kubernetes/11298.
// Bug: serviceLoop() starts a goroutine that calls n.cond.Wait(); told to abort, it signals the
// cond once and waits for that goroutine; if the goroutine has not reached Wait() yet, the signal
// is lost, it waits for ever, and so do serviceLoop(), Notify() and the test.
//
// Verdict: `deadlock` (the test itself waits for Notify): "Notify" blocked [chan receive] in
// serviceLoop's `<-ch`, "Wait" blocked [sync.Cond.Wait], "main" blocked [chan receive].
//
// Fixed twin (goker/kubernetes/11298_fixed), the upstream fix: "replaces the n.node condition
// object with a simple channel n.changed. The service loop watches it", and n.lock only guards
// the notified state: the signaller locks, unlocks, then sends on `changed` (buffer of one)
// without blocking; serviceLoop selects on abort and `changed`, holding no lock while it waits.
//
// Port: After(f) spawns a goroutine named after f ("Notify", "Wait", "signaller"); Until's
// `time.After(0)` is `after(0)`, which fires at once. The test's closer sleeps 300 ns in Go while
// the signaller spins; the simulation's clock moves only when every fiber is blocked, and the
// spinning signaller rarely is, so a virtual 300 ns sleep would not end before the livelock budget:
// the closer yields 3 times instead (other goroutines run meanwhile, as they would during Go's 300
// ns), then closes `done`. The signaller's loop, which never blocks, yields once per iteration: Go
// preempts a spinning goroutine, the simulation switches fibers only at scheduling points and FIFO
// never preempts. A spinning loop stops spinning after kSpinRounds = 100 rounds and blocks until
// its stop channel closes: with Go's fair scheduler the goroutine that closes it runs within a few
// rounds, but PCT's strict priorities let a spinner that outranks it spin for ever (a livelock
// verdict that is the strategy's, not the kernel's, since fixed: PCT is fair past its step bound). The bug's window lies in the first rounds.
// n.cond.Wait() runs in another goroutine than the one holding n.lock, as in Go (lockstep's Cond,
// as Go's, checks only that the mutex is locked).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "lockstep.hpp"
#include "scenarios/goker/go_idioms.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_11298 {

using goker::closed;

inline constexpr int kCloserYields = 3;  // Go: time.Sleep(300 * time.Nanosecond)
inline constexpr int kSpinRounds = 100;  // see Port

inline RecvChan<Empty> after_go(std::string name, std::function<void()> f) {  // Go's After(f)
  Chan<Empty> ch(0);
  go(std::move(name), [ch, f = std::move(f)] {
    if (f) f();
    ch.close();  // deferred
  });
  return ch;
}

inline void until(const std::function<void()>& f, Duration period, RecvChan<Empty> stop_ch) {
  if (!f) return;
  for (;;) {
    if (closed(stop_ch)) return;
    f();
    select(on_recv(stop_ch), on_recv(after(period)));
  }
}

template <bool Fixed>
struct Notifier {
  Mutex lock;
  Cond cond{lock};  // the buggy notifier's
  Chan<Empty> changed = Fixed ? Chan<Empty>(1) : Chan<Empty>();  // the fix's (nil otherwise)

  // signal() is the signaller's step: Signal() under n.lock, or (fixed) a send that never blocks.
  void signal() {
    lock.lock();
    if constexpr (!Fixed) cond.signal();
    lock.unlock();
    if constexpr (Fixed) changed.try_send(Empty{});
  }

  void service_loop(RecvChan<Empty> abort) {
    if constexpr (Fixed)
      watch_changed(abort);
    else
      wait_in_goroutines(abort);
  }

  // watch_changed() is the fix's loop: no lock is held while it waits.
  void watch_changed(RecvChan<Empty> abort) {
    for (;;) {
      if (closed(abort)) return;
      bool aborted = false;
      select(on_recv(abort, [&] { aborted = true; }), on_recv(changed, [&] {
               lock.lock();  // reads the notified state
               lock.unlock();
             }));
      if (aborted) return;
    }
  }

  // wait_in_goroutines() is the buggy loop: n.lock held, cond.Wait() run by After().
  void wait_in_goroutines(RecvChan<Empty> abort) {
    lock.lock();
    for (;;) {
      if (closed(abort)) break;
      RecvChan<Empty> ch = after_go("Wait", [this] { cond.wait(); });
      bool aborted = false;
      select(on_recv(abort, [&] {
               cond.signal();  // BUG: lost if "Wait" has not reached cond.wait() yet
               ch.recv();
               aborted = true;
             }),
             on_recv(ch));
      if (aborted) break;
    }
    lock.unlock();  // deferred
  }
};

template <bool Fixed>
void notify(RecvChan<Empty> abort) {
  auto n = std::make_shared<Notifier<Fixed>>();
  RecvChan<Empty> finished = after_go("signaller", [n, abort] {
    until(
        [&n, &abort] {
          for (int round = 0; round < kSpinRounds; ++round) {
            if (closed(abort)) return;
            n->signal();
            yield();  // Go's preemption of a spinning goroutine (see Port)
          }
          abort.recv();
        },
        Duration::zero(), abort);
  });
  until([&n, &finished] { n->service_loop(finished); }, Duration::zero(), abort);
}

template <bool Fixed>
void kernel() {
  Chan<Empty> done(0);
  RecvChan<Empty> notify_done = after_go("Notify", [done] { notify<Fixed>(done); });
  go("closer", [done] {
    for (int i = 0; i < kCloserYields; ++i) yield();
    done.close();
  });
  notify_done.recv();
}

inline Scenario scenario() {
  return {"goker/kubernetes/11298", "notifier: a cond signalled before its waiter waits, then the waiter awaited",
          {sim::Verdict::deadlock, "Wait", sim::FiberState::blocked, "sync.Cond.Wait",
           "deadlock: all fibers are blocked"},
          "goker/kubernetes/11298_fixed", &kernel<false>};
}

inline Scenario fixed_scenario() {
  return {"goker/kubernetes/11298_fixed", "notifier fixed: a channel with a buffer of one replaces the cond",
          {}, "goker/kubernetes/11298", &kernel<true>};
}

}  // namespace lockstep::scenarios::goker_k8s_11298
