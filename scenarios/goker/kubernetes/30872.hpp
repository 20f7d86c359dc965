// GoKer kubernetes/30872: the federated informer's lock and its DeltaFIFO's lock taken in
// opposite orders.
//
// Upstream: kubernetes/kubernetes PR 30872 (https://github.com/kubernetes/kubernetes/pull/30872),
// the federation namespace controller. GoBench: goker/blocking/kubernetes/30872.
// Bug: the informer's controller pops from its DeltaFIFO (FIFO lock held) and the add handler
// takes the federatedInformer's lock (addCluster); ClustersSynced() holds the federatedInformer's
// lock and asks the controller HasSynced(), which takes the FIFO lock: AB-BA.
//
// Verdict: `leak` (the test returns once Run() has started everything):
// "DelayingDeliverer.StartWithHandler.func1" blocked [sync.RWMutex.Lock] on the FIFO lock,
// "Controller.Run" blocked [sync.Mutex.Lock] on the federatedInformer's lock.
//
// Fixed twin (goker/kubernetes/30872_fixed), the upstream fix ("ensures that there is always at
// most 1 lock taken in federated informer"): ClustersSynced() no longer takes the
// federatedInformer's lock, since the cluster informer it reads is set once, at construction.
//
// Port: JitterUntil's loop, which never blocks, yields once per iteration: Go preempts a spinning
// goroutine and runs others in parallel, the simulation switches fibers only at scheduling points
// and FIFO never preempts. A spinning loop stops spinning after kSpinRounds = 100 rounds and blocks
// until its stop channel closes: with Go's fair scheduler the goroutine that closes it runs within
// a few rounds, but PCT with strict priorities to the end of a run let a spinner that outranks it spin for ever (a
// livelock, since fixed: PCT is fair past its step bound); the bound keeps runs short. The bug's window lies in the first
// rounds. The interfaces (Queue, ControllerInterface, ResourceEventHandler, FederatedInformer)
// become the concrete types behind them; the handler funcs are std::function; the objects are
// shared_ptrs. The goroutines are named after Go's functions.
#pragma once

#include <functional>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/goker/go_idioms.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker_k8s_30872 {

inline constexpr int kSpinRounds = 100;  // see Port

struct DeltaFifo {
  RWMutex lock;
  void has_synced() {
    lock.lock();
    lock.unlock();
  }
  void pop(const std::function<void()>& process) {
    lock.lock();
    process();  // A then B: the add handler locks the federatedInformer
    lock.unlock();
  }
};

struct Controller {
  std::shared_ptr<DeltaFifo> queue = std::make_shared<DeltaFifo>();
  std::function<void()> process;

  void run(RecvChan<Empty> stop_ch) {  // Util -> JitterUntil(processLoop)
    for (int round = 0; round < kSpinRounds; ++round) {
      if (goker::closed(stop_ch)) return;
      queue->pop(process);
      yield();  // Go's preemption of a spinning goroutine (see Port)
    }
    stop_ch.recv();
  }
  void has_synced() { queue->has_synced(); }
};

struct FederatedInformer : std::enable_shared_from_this<FederatedInformer> {
  Mutex mu;
  std::shared_ptr<Controller> controller = std::make_shared<Controller>();
  Chan<Empty> stop_chan;  // guarded by mu

  template <bool Fixed>
  void clusters_synced() {
    if constexpr (Fixed) {
      controller->has_synced();  // one lock at a time
    } else {
      mu.lock();
      controller->has_synced();  // B then A
      mu.unlock();
    }
  }
  void add_cluster() {
    mu.lock();
    mu.unlock();
  }
  void start() {
    mu.lock();
    stop_chan = Chan<Empty>(0);
    // The goroutine keeps the informer alive: its handler calls back into it.
    go("Controller.Run", [self = shared_from_this(), stop = stop_chan] { self->controller->run(stop); });
    mu.unlock();
  }
  void stop() {
    mu.lock();
    stop_chan.close();
    mu.unlock();
  }

  static std::shared_ptr<FederatedInformer> make() {
    auto f = std::make_shared<FederatedInformer>();
    FederatedInformer* raw = f.get();  // the handler lives in f's own controller
    f->controller->process = [raw] { raw->add_cluster(); };  // ResourceEventHandlerFuncs.AddFunc
    return f;
  }
};

template <bool Fixed>
void namespace_controller_run(const std::shared_ptr<FederatedInformer>& f, RecvChan<Empty> stop_chan) {
  f->start();
  go("NamespaceController.Run.func1", [f, stop_chan] {
    stop_chan.recv();
    f->stop();
  });
  go("DelayingDeliverer.StartWithHandler.func1", [f] { f->clusters_synced<Fixed>(); });  // reconcileNamespace
}

template <bool Fixed>
void kernel() {
  auto informer = FederatedInformer::make();
  Chan<Empty> stop(0);
  namespace_controller_run<Fixed>(informer, stop);
  stop.close();
}

inline Scenario scenario() {
  return {"goker/kubernetes/30872", "federated informer: its lock and the DeltaFIFO's lock taken in opposite orders",
          {sim::Verdict::leak, "DelayingDeliverer.StartWithHandler.func1", sim::FiberState::blocked,
           "sync.RWMutex.Lock", "leak: main returned"},
          "goker/kubernetes/30872_fixed", &kernel<false>};
}

inline Scenario fixed_scenario() {
  return {"goker/kubernetes/30872_fixed", "federated informer fixed: ClustersSynced() takes only the DeltaFIFO's lock",
          {}, "goker/kubernetes/30872", &kernel<true>};
}

}  // namespace lockstep::scenarios::goker_k8s_30872
