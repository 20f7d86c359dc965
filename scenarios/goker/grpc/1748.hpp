// GoKer grpc/1748: a test restores minConnectTimeout while the transport
// monitor goroutine that the balancer started still reads it.
//
// Upstream: grpc/grpc-go pull request 1748,
// https://github.com/grpc/grpc-go/pull/1748 (GoBench
// goker/nonblocking/grpc/1748, data race).
//
// The test saves minConnectTimeout and restores it in a deferred function
// ("call this only after transportMonitor goroutine has ended", which
// nothing ensures). switchBalancer() starts the balancer watcher, whose
// pick-first balancer connects a sub-connection, whose transportMonitor()
// reads minConnectTimeout in a goroutine of its own.
//
// Verdict: race (only the race-detector build sees it), reported in
// "connect.func1" (the transport monitor) reading the timeout
// "TestGrpc1748.func1" restored. Every other build passes on every
// schedule. In the simulation the restore always comes first: the test
// goroutine reaches it with no scheduling point after releasing
// balanceMutex.
//
// Port differences from Go:
// - The package variable minConnectTimeout is a plain Duration field of
//   per-run state (a C++ global would outlive the schedule); balanceMutex,
//   the kernel's own global mutex, is a field of it too.
// - The Builder / Balancer / SubConn / ClientConn interfaces are the one
//   implementation each has in the kernel; the unused pickerWrapper and
//   the addrConn's back pointer are dropped.
// - addrConn.acbw is a weak_ptr: an acBalancerWrapper and its addrConn
//   point at each other, a cycle Go's collector frees and shared_ptrs would
//   leak. Nothing reads it; the kernel only sets it, as Go's does.
// - The transport monitor's read is observe()d (scenarios/goker/observe.hpp):
//   its value is unused, and g++ deletes such a read before ThreadSanitizer
//   instruments it (an earlier port's `(void)` read was never reported).
// - The test goroutine refers to main's shared_ptr (main waits for it)
//   instead of copying it: its copy would be dropped on exit (an acq_rel
//   decrement), and the watcher's later copies for the transport monitors
//   would acquire it, ordering every monitor after the restore, an edge Go
//   does not have (the race was never reported on the FIFO schedule).
// - Goroutines: "TestGrpc1748.func1", "watcher", "connect.func1".
//
// No fixed twin: the README states no fix.
#pragma once

#include <chrono>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/goker/observe.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::grpc1748 {

using namespace std::chrono_literals;

struct Package {
  Duration min_connect_timeout = 10s;  // the racy package variable
  Mutex balance_mutex;                 // "we add this for avoiding other data race"
};

struct AddrConn;

struct AcBalancerWrapper {
  Mutex mu;
  std::shared_ptr<AddrConn> ac;
  void connect(const std::shared_ptr<Package>& pkg);
};

struct AddrConn {
  Mutex mu;
  std::weak_ptr<AcBalancerWrapper> acbw;  // guarded by mu; weak: see the port differences

  void reset_transport(const Package& pkg) const { observe(pkg.min_connect_timeout.count()); }  // the racing read
  void connect(const std::shared_ptr<Package>& pkg, std::shared_ptr<AddrConn> self) const {
    go("connect.func1", [pkg, self] { self->reset_transport(*pkg); });  // transportMonitor
  }
};

inline void AcBalancerWrapper::connect(const std::shared_ptr<Package>& pkg) {
  mu.lock();
  ac->connect(pkg, ac);
  mu.unlock();
}

struct PickfirstBalancer {
  std::shared_ptr<AcBalancerWrapper> sc;  // owned by the watcher

  void handle_resolved_addrs(const std::shared_ptr<Package>& pkg) {
    auto ac = std::make_shared<AddrConn>();  // ccBalancerWrapper.NewSubConn
    auto acbw = std::make_shared<AcBalancerWrapper>();
    acbw->ac = ac;
    ac->mu.lock();
    ac->acbw = acbw;
    ac->mu.unlock();
    sc = acbw;
    sc->connect(pkg);
  }
};

struct CcBalancerWrapper {
  std::shared_ptr<PickfirstBalancer> balancer;  // guarded by balance_mutex

  void watcher(const std::shared_ptr<Package>& pkg) {
    for (int i = 0; i < 10; ++i) {
      pkg->balance_mutex.lock();
      auto b = balancer;
      pkg->balance_mutex.unlock();
      if (b) b->handle_resolved_addrs(pkg);
    }
  }
};

inline void switch_balancer(const std::shared_ptr<Package>& pkg) {
  auto ccb = std::make_shared<CcBalancerWrapper>();
  go("watcher", [pkg, ccb] { ccb->watcher(pkg); });
  pkg->balance_mutex.lock();
  ccb->balancer = std::make_shared<PickfirstBalancer>();
  pkg->balance_mutex.unlock();
}

inline void run() {
  auto pkg = std::make_shared<Package>();
  WaitGroup wg;
  wg.add(1);
  go("TestGrpc1748.func1", [&pkg, &wg] {  // by reference: see Port
    Duration mct_bkp = pkg->min_connect_timeout;
    switch_balancer(pkg);
    pkg->min_connect_timeout = mct_bkp;  // Go's deferred restore: the racing write
    wg.done();
  });
  wg.wait();
}

}  // namespace lockstep::scenarios::goker::grpc1748

namespace lockstep::scenarios {

inline Scenario goker_grpc1748() {
  return {"goker/grpc/1748", "grpc#1748: minConnectTimeout is restored while a transport monitor reads it",
          {sim::Verdict::race, "connect.func1", sim::FiberState::running, "", "data race"},
          "", &goker::grpc1748::run};
}

}  // namespace lockstep::scenarios
