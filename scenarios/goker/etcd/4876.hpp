// GoKer etcd/4876: a test changes the watch progress interval while a
// watch stream's send loop reads it.
//
// Upstream: etcd-io/etcd pull request 4876,
// https://github.com/etcd-io/etcd/pull/4876 (GoBench
// goker/nonblocking/etcd/4876, data race).
//
// One goroutine sets ProgressReportInterval to 3s; another starts a watch,
// whose sendLoop makes a ticker of ProgressReportInterval. Nothing orders
// the write and the read.
//
// Verdict: race (only the race-detector build sees it), reported in
// "sendLoop" reading the interval "TestEtcd4876.func1.1" wrote. Every
// other build passes on every schedule.
//
// Port differences from Go:
// - The package variable ProgressReportInterval is a plain Duration field
//   of per-run state (a C++ global would keep the test's 3s from one
//   schedule to the next); it is read and written without synchronisation,
//   as in Go.
// - The ticker sendLoop makes is stopped at once: Go's is garbage (never
//   read); a lockstep ticker nobody stops would keep virtual time moving.
// - The stream interfaces are dropped (the kernel never uses them).
// - Goroutines: "TestEtcd4876.func1" and its ".1" (the writer) and ".2"
//   (Watch), "sendLoop".
//
// No fixed twin: the README states no fix.
#pragma once

#include <chrono>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::etcd4876 {

using namespace std::chrono_literals;

struct Package {
  Duration progress_report_interval = 10s;  // the racy package variable
};

inline void send_loop(Package& pkg) {
  Ticker ticker(pkg.progress_report_interval);  // the racing read
  ticker.stop();
}

inline void watch(std::shared_ptr<Package> pkg) {
  go("sendLoop", [pkg] { send_loop(*pkg); });
}

inline void run() {
  auto pkg = std::make_shared<Package>();
  WaitGroup wg;
  wg.add(3);
  go("TestEtcd4876.func1", [pkg, &wg] {
    go("TestEtcd4876.func1.1", [pkg, &wg] {
      pkg->progress_report_interval = 3s;  // the racing write
      wg.done();
    });
    go("TestEtcd4876.func1.2", [pkg, &wg] {
      watch(pkg);
      wg.done();
    });
    wg.done();
  });
  wg.wait();
}

}  // namespace lockstep::scenarios::goker::etcd4876

namespace lockstep::scenarios {

inline Scenario goker_etcd4876() {
  return {"goker/etcd/4876", "etcd#4876: the progress interval is written while a send loop reads it",
          {sim::Verdict::race, "sendLoop", sim::FiberState::running, "", "data race"},
          "", &goker::etcd4876::run};
}

}  // namespace lockstep::scenarios
