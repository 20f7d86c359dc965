// GoKer grpc/1275: closing a client stream does not wake the goroutine
// reading it.
//
// Upstream: grpc/grpc-go pull request 1275,
// https://github.com/grpc/grpc-go/pull/1275 (GoBench goker/blocking/grpc/1275,
// communication deadlock, channel; the test function is named TestGrpc1293).
//
// testInflightStreamClosing() starts a reader blocked in the stream's
// recvBufferReader.Read(), calls CloseStream(), and waits for the reader at
// most 300ns. CloseStream() should put a message in the stream's receive
// buffer but does not: the wait times out, the test returns, the reader
// stays blocked.
//
// Verdict: leak on every schedule, "testInflightStreamClosing.func1"
// blocked [chan receive], after main's 300ns timeout.
//
// Port differences from Go:
// - io.ReadFull over the reader is the one Read() call it makes (the reader
//   returns after one receive in either case); the byte slice is dropped.
// - Go's one-case `select { case <-r.recv.get(): }` compiles to a plain
//   receive (Go's dump says [chan receive]); the port receives.
// - time.NewTimer is lockstep's virtual Timer: the 300ns pass only when
//   every fiber is blocked.
//
// Fixed twin (goker/grpc/1275_fixed): CloseStream() sends the message the
// reader waits for (the patch the description states). It passes on every
// schedule, with the timer stopped before it fires.
#pragma once

#include <chrono>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::grpc1275 {

using namespace std::chrono_literals;

struct Stream {
  Chan<bool> recv{0};  // recvBuffer.c, read by recvBufferReader.Read()

  void read() const { recv.recv(); }
};

inline void close_stream(const Stream& s, bool fixed) {
  if (fixed) s.recv.send(true);  // the missing message
}

inline void test_inflight_stream_closing(bool fixed) {
  auto stream = std::make_shared<Stream>();
  Chan<bool> donec(0);
  go("testInflightStreamClosing.func1", [stream, donec] {
    stream->read();
    donec.close();
  });
  close_stream(*stream, fixed);
  Timer timeout(300ns);
  select(on_recv(donec,
                 [&] {
                   if (!timeout.stop()) timeout.chan().recv();
                 }),
         on_recv(timeout.chan()));
}

}  // namespace lockstep::scenarios::goker::grpc1275

namespace lockstep::scenarios {

inline Scenario goker_grpc1275() {
  return {"goker/grpc/1275", "grpc#1275: CloseStream does not wake the stream's blocked reader",
          {sim::Verdict::leak, "testInflightStreamClosing.func1", sim::FiberState::blocked, "chan receive",
           "leak: main returned"},
          "goker/grpc/1275_fixed", [] { goker::grpc1275::test_inflight_stream_closing(false); }};
}

inline Scenario goker_grpc1275_fixed() {
  return {"goker/grpc/1275_fixed", "grpc#1275 fixed: CloseStream sends the reader its message", {},
          "goker/grpc/1275", [] { goker::grpc1275::test_inflight_stream_closing(true); }};
}

}  // namespace lockstep::scenarios
