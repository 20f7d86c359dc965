// GoKer grpc/1687: a handler writes to the server transport after
// WriteStatus() closed its writes channel: a send on a closed channel.
//
// Upstream: grpc/grpc-go pull request 1687,
// https://github.com/grpc/grpc-go/pull/1687 (GoBench
// goker/nonblocking/grpc/1687, "misuse channel").
//
// serverHandlerTransport.do() hands a write to runStream() over `writes`,
// unless closedCh is closed. WriteStatus() writes, then closes `writes`; the
// handler's next Write() reaches the select that sends on `writes` and
// panics.
//
// Verdict: misuse on every schedule: "TestGrpc1687.func1" (the handler)
// running, "send on closed channel" (lockstep reports a send case on a
// closed channel whenever the select reaches it; Go panics there too, since
// closedCh is never closed).
//
// Port differences from Go:
// - The response writer, the testing.T and the interfaces are dropped (the
//   kernel never uses them); a write is a std::function<void()>.
// - `fn, ok := <-ht.writes` is a receive returning std::optional.
// - Goroutines: "TestGrpc1687.func1" (the handler started by
//   HandleStreams' startStream); HandleStreams runs on main, as in Go.
// - time.Sleep(10ms) is virtual.
//
// No fixed twin: the README states no fix.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::grpc1687 {

using namespace std::chrono_literals;

struct ServerHandlerTransport {
  Chan<Empty> closed_ch{0};
  Chan<std::function<void()>> writes{0};

  void do_write(std::function<void()> fn) const {
    if (closed_ch.try_recv().status != ChanStatus::would_block) return;  // never: closedCh stays open
    select(on_send(writes, std::move(fn), [] {}), on_recv(closed_ch));  // panics once writes is closed
  }
  void write_status() const {
    do_write([] {});
    writes.close();
  }
  void write() const { do_write([] {}); }
  void run_stream() const {
    for (bool running = true; running;) {
      select(on_recv(writes,
                     [&](std::optional<std::function<void()>> fn) {
                       if (!fn) {
                         running = false;
                         return;
                       }
                       (*fn)();
                     }),
             on_recv(closed_ch, [&] { running = false; }));
    }
  }
  void handle_streams(const std::function<void()>& start_stream) const {
    start_stream();
    run_stream();
  }
};

inline void run() {
  auto ht = std::make_shared<ServerHandlerTransport>();
  ht->handle_streams([ht] {
    go("TestGrpc1687.func1", [ht] {
      ht->write_status();
      ht->write();
    });
  });
  sleep(10ms);
}

}  // namespace lockstep::scenarios::goker::grpc1687

namespace lockstep::scenarios {

inline Scenario goker_grpc1687() {
  return {"goker/grpc/1687", "grpc#1687: a handler writes after WriteStatus closed the writes channel",
          {sim::Verdict::misuse, "TestGrpc1687.func1", sim::FiberState::running, "", "send on closed channel"},
          "", &goker::grpc1687::run};
}

}  // namespace lockstep::scenarios
