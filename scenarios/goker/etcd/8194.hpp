// GoKer etcd/8194: a test lowers the lease revoke rate while a lessor's
// run loop, started by another test, reads it.
//
// Upstream: etcd-io/etcd pull request 8194,
// https://github.com/etcd-io/etcd/pull/8194 (GoBench
// goker/nonblocking/etcd/8194, data race).
//
// testLessorGrant() starts a lessor whose runLoop() reads leaseRevokeRate
// to rate-limit revocations; testLessorRenewExtendPileup(), in parallel,
// saves it, sets it to 10 and restores it. Nothing orders these accesses.
//
// Verdict: race (only the race-detector build sees it), reported in
// "runLoop" reading the rate after "TestEtcd8194.func2" wrote it (FIFO
// runs the test goroutines before the loop). In any other build the run
// ends as a leak: the test returns while runLoop waits on its 5ms timer
// (virtual time stops with main), so this kernel's normal-build verdict is
// not "passed"; explore() skips it there (Expectation::checkable()).
//
// Port differences from Go:
// - The package variable leaseRevokeRate is a plain int field of per-run
//   state (a C++ global would carry a half-restored value from one schedule
//   to the next); it is read and written without synchronisation, as in Go.
// - The lessor's stopC and doneC are nil channels, as the kernel's
// `&lessor{}` leaves them (a select case on stopC never fires).
// - Each goroutine's shared_ptr to that state is copied by main before
//   any of them runs, and moved (not copied) into runLoop: a copy is an
//   acq_rel increment, which would order runLoop after every fiber that
//   had dropped its copy (TestEtcd8194.func2 on exit), an edge Go does not
//   have; an earlier port copied it there, and the race was reported on
//   only some schedules (the rest ended in the leak).
// - The racy read's value is observe()d and the racy store settle()d
//   (scenarios/goker/observe.hpp): g++ otherwise deletes the unused read
//   and the overwritten store before ThreadSanitizer instruments them.
// - The leases are a count (the kernel builds a one-element slice).
// - Goroutines: "TestEtcd8194.func1" (grants), "TestEtcd8194.func2"
//   (pile-up), "runLoop".
//
// No fixed twin: the README states no fix.
#pragma once

#include <chrono>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/goker/observe.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::etcd8194 {

using namespace std::chrono_literals;

struct Package {
  int lease_revoke_rate = 1000;  // the racy package variable
};

inline void test_lessor_renew_extend_pileup(Package& pkg) {
  int old_revoke_rate = pkg.lease_revoke_rate;
  pkg.lease_revoke_rate = 10;  // the racing write
  settle();  // Go's test body runs here (grants, renewals): the write is made
  pkg.lease_revoke_rate = old_revoke_rate;  // Go's deferred restore
}

struct Lessor {
  Mutex mu;
  Chan<Empty> stop_c;  // nil
  Chan<Empty> done_c;  // nil

  void run_loop(Package& pkg) {
    for (int i = 0; i < 10; ++i) {
      int leases = 1;
      if (leases != 0) {
        if (leases > pkg.lease_revoke_rate / 2) leases = pkg.lease_revoke_rate / 2;  // the racing read
        observe(leases);  // Go revokes leases[:limit]
        bool stopped = false;
        select(on_recv(stop_c, [&] { stopped = true; }), on_default([] {}));
        if (stopped) return;
      }
      bool stopped = false;
      select(on_recv(after(5ms)), on_recv(stop_c, [&] { stopped = true; }));
      if (stopped) return;
    }
    done_c.close();  // Go's deferred close(le.doneC): a nil channel
  }
};

inline void run() {
  auto pkg = std::make_shared<Package>();
  WaitGroup wg;
  wg.add(2);
  go("TestEtcd8194.func1", [pkg, &wg]() mutable {
    auto le = std::make_shared<Lessor>();
    go("runLoop", [pkg = std::move(pkg), le] { le->run_loop(*pkg); });  // moved: see Port
    wg.done();
  });
  go("TestEtcd8194.func2", [pkg, &wg] {
    test_lessor_renew_extend_pileup(*pkg);
    wg.done();
  });
  wg.wait();
}

}  // namespace lockstep::scenarios::goker::etcd8194

namespace lockstep::scenarios {

inline Scenario goker_etcd8194() {
  return {"goker/etcd/8194", "etcd#8194: the lease revoke rate is changed while a lessor loop reads it",
          {sim::Verdict::race, "runLoop", sim::FiberState::running, "", "data race"},
          "", &goker::etcd8194::run};
}

}  // namespace lockstep::scenarios
