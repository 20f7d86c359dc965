// GoKer kubernetes/82239: a controller test mutates a volume's annotations while the controller
// deep-copies the same volume.
//
// Upstream: kubernetes/kubernetes PR 82239 (https://github.com/kubernetes/kubernetes/pull/82239),
// the persistent volume controller's tests. GoBench: goker/nonblocking/kubernetes/82239.
// Bug: the lister hands the controller the test's own *PersistentVolume; the controller's worker
// loop DeepCopy()s it (reading its Annotations map) while the test writes Annotations["0"].
//
// Verdict: `race` (race-detector build only): the test's write, in "main", after the worker's
// read (GoBench's report).
//
// Port: the Annotations map is a std::map<std::string, std::string>; DeepCopy copies it. Go's
// map assignment is a write to the map even when the key is there; a C++ assignment to an
// existing key stores only the value, and an Empty value stores nothing (an earlier port had
// that, and no race was ever seen): the values are strings, the test's write stores one.
// JitterUntil's loop never blocks (both selects have a `default`, here try_recv()): it yields
// once per iteration, as Go would preempt it (the simulation switches fibers only at scheduling
// points and FIFO never preempts); and the test's `time.Sleep(1ms)` would never end in the simulation, whose clock moves
// only when every fiber is blocked: the test yields 3 times instead (the worker runs meanwhile),
// then writes and closes stopCh. The one-entry `tests` table is the one test body. No fixed twin:
// neither the kernel nor its README describes the fix.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "lockstep.hpp"
#include "scenarios/goker/go_idioms.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_82239 {

using goker::closed;

inline constexpr int kTestYields = 3;  // Go: time.Sleep(1 * time.Millisecond)

struct PersistentVolume {
  std::map<std::string, std::string> annotations;  // ObjectMeta.Annotations
  PersistentVolume deep_copy() const { return *this; }  // the read
};

inline void until(const std::function<void()>& f, RecvChan<Empty> stop_ch) {  // JitterUntil
  for (;;) {
    if (closed(stop_ch)) return;
    f();
    if (closed(stop_ch)) return;
    yield();  // Go's preemption of a spinning goroutine (see Port)
  }
}

struct PersistentVolumeController {
  std::shared_ptr<PersistentVolume> volume;  // what volumeLister.Get("0") returns
  void volume_worker() { static_cast<void>(volume->deep_copy()); }  // updateVolume -> ... -> DeepCopy
  static void run(const std::shared_ptr<PersistentVolumeController>& ctrl, RecvChan<Empty> stop_ch) {
    go("Until", [ctrl, stop_ch] { until([&ctrl] { ctrl->volume_worker(); }, stop_ch); });
  }
};

inline void kernel() {
  auto volume = std::make_shared<PersistentVolume>();  // newVolume()
  for (int i = 0; i < 2; ++i) volume->annotations[std::to_string(i)] = "";
  auto ctrl = std::make_shared<PersistentVolumeController>();
  ctrl->volume = volume;
  Chan<Empty> stop_ch(0);
  go("PersistentVolumeController.Run", [ctrl, stop_ch] { PersistentVolumeController::run(ctrl, stop_ch); });
  for (int i = 0; i < kTestYields; ++i) yield();
  volume->annotations["0"] = "updated";  // BUG: the test writes what the controller reads
  stop_ch.close();
}

inline Scenario scenario() {
  return {"goker/kubernetes/82239", "PV controller test: annotations written while the controller deep-copies the volume",
          {sim::Verdict::race, "main", sim::FiberState::running, "", "data race"},
          "", &kernel};
}

}  // namespace lockstep::scenarios::goker_k8s_82239
