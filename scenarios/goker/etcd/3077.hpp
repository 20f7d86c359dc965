// GoKer etcd/3077: the server's run loop reads the raft node's channels,
// which the raft node's own goroutine creates, with nothing ordering the
// two but a sleep.
//
// Upstream: etcd-io/etcd pull request 3077,
// https://github.com/etcd-io/etcd/pull/3077 (GoBench
// goker/nonblocking/etcd/3077, "misuse channel", a data race).
//
// EtcdServer.run() starts raftNode.run(), which assigns r.stopped and
// r.done, sleeps 10ms "to wait for" it, and on stop its deferred function
// sends on r.stopped and waits on r.done. A sleep is no happens-before
// edge: the reads race with the writes.
//
// Verdict: race (only the race-detector build sees it), reported in
// "EtcdServer.run" reading r.stopped after "raftNode.run" wrote it. Every
// other build passes on every schedule: virtual time cannot reach 10ms
// before raftNode.run() has run.
//
// Port differences from Go:
// - The fields r.stopped and r.done are plain Chan handles (a Chan is a
//   pointer-sized handle, as a Go channel value is), written and read
//   without synchronisation, as in Go.
// - Goroutines: "EtcdServer.run", "raftNode.run". time.Sleep is virtual.
//
// No fixed twin: the README states no fix, and the kernel keeps nothing of
// the upstream patch.
#pragma once

#include <chrono>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::etcd3077 {

using namespace std::chrono_literals;

struct RaftNode {
  Chan<Empty> stopped;  // written by raftNode.run, read by EtcdServer.run: the race
  Chan<Empty> done;

  void run() {
    stopped = Chan<Empty>(0);
    done = Chan<Empty>(0);
    stopped.recv();
    done.close();  // Go's deferred r.stop()
  }
};

struct EtcdServer {
  RaftNode r;
  Chan<Empty> done;
  Chan<Empty> stop;

  void run(std::shared_ptr<EtcdServer> self) {
    go("raftNode.run", [self] { self->r.run(); });
    sleep(10ms);  // "wait s.r.run": no happens-before edge
    stop.recv();
    // Go's deferred function:
    r.stopped.send(Empty{});
    r.done.recv();
    done.close();
  }
  void start(std::shared_ptr<EtcdServer> self) {
    done = Chan<Empty>(0);
    stop = Chan<Empty>(0);
    go("EtcdServer.run", [self] { self->run(self); });
  }
  void stop_server() {
    bool stopped_already = false;
    select(on_send(stop, Empty{}, [] {}), on_recv(done, [&] { stopped_already = true; }));
    if (!stopped_already) done.recv();
  }
};

inline void run() {
  auto srv = std::make_shared<EtcdServer>();
  srv->start(srv);
  srv->stop_server();  // Go's deferred srv.Stop()
}

}  // namespace lockstep::scenarios::goker::etcd3077

namespace lockstep::scenarios {

inline Scenario goker_etcd3077() {
  return {"goker/etcd/3077", "etcd#3077: the server reads the raft node's channels with only a sleep between",
          {sim::Verdict::race, "EtcdServer.run", sim::FiberState::running, "", "data race"},
          "", &goker::etcd3077::run};
}

}  // namespace lockstep::scenarios
