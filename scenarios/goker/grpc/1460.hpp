// GoKer grpc/1460: the keepalive goroutine waits to be woken while holding
// the transport's mutex, which the stream that would wake it needs.
//
// Upstream: grpc/grpc-go pull request 1460,
// https://github.com/grpc/grpc-go/pull/1460 (GoBench goker/blocking/grpc/1460,
// mixed deadlock, channel & lock).
//
// keepalive() locks t.mu and, with no active stream, waits on
// awakenKeepalive with the lock held. NewStream() must lock t.mu before it
// can wake it (and then only tries, with a select default). The test only
// starts both and returns.
//
// Verdict: leak once main has returned: "keepalive" blocked [chan receive]
// with t.mu held, "NewStream" blocked [sync.Mutex.Lock]. FIFO runs
// keepalive() first and finds it.
//
// Port differences from Go:
// - activeStream is a count (the kernel only appends and reads its length).
// - The select with default is try_send.
//
// Fixed twin (goker/grpc/1460_fixed): the upstream keepalive protocol the
// kernel's "FIX" line belongs to: awakenKeepalive has a buffer of one and
// starts full; keepalive() empties it under t.mu ("make awakenKeepalive
// writable"), unlocks, and only then waits; NewStream()'s try_send succeeds
// only while keepalive() waits, and it refills the channel (the FIX line).
// It passes on every schedule.
#pragma once

#include <chrono>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::grpc1460 {

struct Http2Client {
  Mutex mu;
  Chan<Empty> awaken_keepalive;
  int active_streams = 0;  // guarded by mu
  bool fixed = false;

  explicit Http2Client(bool fixed_) : awaken_keepalive(fixed_ ? 1 : 0), fixed(fixed_) {
    if (fixed) awaken_keepalive.send(Empty{});
  }
  void keepalive() {
    mu.lock();
    if (active_streams < 1) {
      if (fixed) {
        awaken_keepalive.recv();  // empties the full channel: never blocks
        mu.unlock();
        awaken_keepalive.recv();
        return;
      }
      awaken_keepalive.recv();  // the bug: waits with mu held
      mu.unlock();
    } else {
      mu.unlock();
    }
  }
  void new_stream() {
    mu.lock();
    ++active_streams;
    if (active_streams == 1 && awaken_keepalive.try_send(Empty{}) && fixed)
      awaken_keepalive.send(Empty{});  // refill: the kernel's FIX line
    mu.unlock();
  }
};

inline void run(bool fixed) {
  auto client = std::make_shared<Http2Client>(fixed);
  go("keepalive", [client] { client->keepalive(); });
  go("NewStream", [client] { client->new_stream(); });
}

}  // namespace lockstep::scenarios::goker::grpc1460

namespace lockstep::scenarios {

inline Scenario goker_grpc1460() {
  return {"goker/grpc/1460", "grpc#1460: keepalive waits to be woken while holding the lock NewStream needs",
          {sim::Verdict::leak, "NewStream", sim::FiberState::blocked, "sync.Mutex.Lock", "leak: main returned"},
          "goker/grpc/1460_fixed", [] { goker::grpc1460::run(false); }};
}

inline Scenario goker_grpc1460_fixed() {
  return {"goker/grpc/1460_fixed", "grpc#1460 fixed: keepalive unlocks before it waits to be woken", {},
          "goker/grpc/1460", [] { goker::grpc1460::run(true); }};
}

}  // namespace lockstep::scenarios
