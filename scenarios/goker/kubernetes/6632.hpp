// GoKer kubernetes/6632: WriteFrame() blocks on the reset channel holding the lock that monitor()
// needs to close it.
//
// Upstream: kubernetes/kubernetes PR 6632 (https://github.com/kubernetes/kubernetes/pull/6632),
// the SPDY idleAwareFramer. GoBench: goker/blocking/kubernetes/6632.
// Bug: WriteFrame() sends on resetChan while holding writeLock, and nothing receives from it;
// monitor(), told the connection closed, must take writeLock to close resetChan.
//
// Verdict: `leak` (the test returns at once): "WriteFrame" blocked [chan send] while "monitor"
// is blocked [sync.Mutex.Lock]. Schedules where monitor() closes first pass.
//
// Fixed twin (goker/kubernetes/6632_fixed), the kernel's "Fix: create a goroutine to drain the
// channel": monitor() starts a goroutine that receives from resetChan until it is closed before
// taking writeLock, so the blocked send completes.
//
// Port: the framer is a shared_ptr; `i.resetChan = nil` assigns a nil Chan<bool>(); the
// single-case select in monitor's loop stays a select.
#pragma once

#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_6632 {

struct IdleAwareFramer {
  Chan<bool> reset_chan{0};  // guarded by write_lock
  Mutex write_lock;
  Chan<bool> close_chan{0};  // the Connection's closeChan

  template <bool Fixed>
  void monitor() {
    Chan<bool> reset = reset_chan;
    bool closed = false;
    while (!closed) {
      select(on_recv(close_chan, [&] {
        if constexpr (Fixed)
          go("monitor.func1", [reset] {
            while (reset.recv()) {
            }
          });
        write_lock.lock();
        reset.close();
        reset_chan = Chan<bool>();
        write_lock.unlock();
        closed = true;
      }));
    }
  }
  void write_frame() {
    write_lock.lock();
    if (!reset_chan.is_nil()) reset_chan.send(true);  // BUG: blocks holding writeLock
    write_lock.unlock();
  }
};

template <bool Fixed>
void kernel() {
  auto i = std::make_shared<IdleAwareFramer>();
  go("helper", [i] { i->close_chan.send(true); });
  go("monitor", [i] { i->monitor<Fixed>(); });
  go("WriteFrame", [i] { i->write_frame(); });
}

inline Scenario scenario() {
  return {"goker/kubernetes/6632", "idleAwareFramer: a send on the reset channel under the lock its closer needs",
          {sim::Verdict::leak, "WriteFrame", sim::FiberState::blocked, "chan send", "leak: main returned"},
          "goker/kubernetes/6632_fixed", &kernel<false>};
}

inline Scenario fixed_scenario() {
  return {"goker/kubernetes/6632_fixed", "idleAwareFramer fixed: a goroutine drains the reset channel before it is closed",
          {}, "goker/kubernetes/6632", &kernel<true>};
}

}  // namespace lockstep::scenarios::goker_k8s_6632
