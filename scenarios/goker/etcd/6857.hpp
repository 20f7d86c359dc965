// GoKer etcd/6857: a raft node's Status() sends its request to the run loop
// with no way out, and the run loop may already have stopped.
//
// Upstream: etcd-io/etcd pull request 6857,
// https://github.com/etcd-io/etcd/pull/6857 (GoBench goker/blocking/etcd/6857,
// communication deadlock, channel).
//
// The test starts run(), Status() and Stop() and returns. When Stop() is
// served first, run() closes `done` and returns; Status() then blocks for
// ever sending on `status`, which nobody receives any more.
//
// Verdict: leak, "Status" blocked [chan send] once main has returned. FIFO
// serves Status() first and passes; a schedule must run Stop() before
// Status() reaches the run loop.
//
// Port differences from Go:
// - `chan chan Status` is Chan<Chan<Status>>; Status is an empty struct.
// - The goroutines are named after the methods they run: "run", "Status",
//   "Stop".
//
// Fixed twin (goker/etcd/6857_fixed): Status() selects between sending its
// request and `done`, returning an empty Status once the node has stopped
// (the fix the trace calls for, as Stop() already does). It passes on every
// schedule.
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::etcd6857 {

struct Status {};

struct Node {
  Chan<Chan<Status>> status{0};
  Chan<Empty> stop{0};
  Chan<Empty> done{0};

  Status get_status(bool fixed) const {
    Chan<Status> c(0);
    if (!fixed) {
      status.send(c);  // blocks for ever once run() has returned
      return *c.recv();
    }
    bool sent = false;
    select(on_send(status, c, [&] { sent = true; }), on_recv(done));
    return sent ? *c.recv() : Status{};
  }
  void run() const {
    for (bool running = true; running;) {
      select(on_recv(status, [](const std::optional<Chan<Status>>& c) { c->send(Status{}); }),
             on_recv(stop, [&] {
               done.close();
               running = false;
             }));
    }
  }
  void stop_node() const {
    bool stopped_already = false;
    select(on_send(stop, Empty{}, [] {}), on_recv(done, [&] { stopped_already = true; }));
    if (!stopped_already) done.recv();
  }
};

inline void run(bool fixed) {
  auto n = std::make_shared<Node>();
  go("run", [n] { n->run(); });
  go("Status", [n, fixed] { n->get_status(fixed); });
  go("Stop", [n] { n->stop_node(); });
}

}  // namespace lockstep::scenarios::goker::etcd6857

namespace lockstep::scenarios {

inline Scenario goker_etcd6857() {
  return {"goker/etcd/6857", "etcd#6857: Status sends to a run loop that Stop already ended",
          {sim::Verdict::leak, "Status", sim::FiberState::blocked, "chan send", "leak: main returned"},
          "goker/etcd/6857_fixed", [] { goker::etcd6857::run(false); }};
}

inline Scenario goker_etcd6857_fixed() {
  return {"goker/etcd/6857_fixed", "etcd#6857 fixed: Status also selects on done", {},
          "goker/etcd/6857", [] { goker::etcd6857::run(true); }};
}

}  // namespace lockstep::scenarios
