// GoKer cockroach#35073: an outbox that fails at startup never closes its
// row channel, and its producers block. https://github.com/cockroachdb/cockroach/pull/35073
//
// The outbox's RowChannel has room for 16 rows and the test fills it; one
// more producer blocks in Push. The outbox's run loop ends at once (its
// startup "fails") without marking the consumer closed, so nothing ever
// drains the channel: the blocked producer and the test's own last Push
// wait forever.
//
// Verdict: `deadlock` on every schedule (FIFO included): fiber "main"
// blocked [chan send] in its Push; "blockedPusher" too.
// Fixed twin (goker/cockroach/35073_fixed): the fix: when run's main loop
// returns, the outbox calls ConsumerClosed() on its RowChannel, which marks
// it closed (later Pushes return at once) and frees one slot for a pusher
// already waiting.
//
// Port differences from Go: the consumer status, a uint32 read and written
// with sync/atomic, is an Atomic<std::uint32_t>; `chan RowChannelMsg` is
// Chan<int>; the goroutine of the test that pushes once is the fiber
// "blockedPusher" and outbox.start's `go m.run(wg)` is "outbox.run";
// blockedPusherWg, on which nothing waits, is kept; the test's objects are
// shared_ptr-owned since "blockedPusher" may outlive the test function.
#pragma once

#include <cstdint>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::cockroach35073 {

enum ConsumerStatus : std::uint32_t { kNeedMoreRows, kDrainRequested, kConsumerClosed };

inline constexpr int kRowChannelBufSize = 16;
inline constexpr int kOutboxBufRows = 16;

struct RowChannel {
  Atomic<std::uint32_t> consumer_status{kNeedMoreRows};
  Chan<int> data_chan;

  void consumer_closed() {
    consumer_status.store(kConsumerClosed);
    (void)data_chan.try_recv();  // select { case <-rc.dataChan: default: }
  }
  ConsumerStatus push() {
    auto status = static_cast<ConsumerStatus>(consumer_status.load());
    if (status == kNeedMoreRows) data_chan.send(0);
    return status;
  }
  void init_with_num_senders() { data_chan = Chan<int>(kRowChannelBufSize); }
};

struct Outbox {
  RowChannel row_channel;
  bool fixed = false;

  void init() { row_channel.init_with_num_senders(); }
  void start(WaitGroup* wg) {
    if (wg) wg->add(1);
    go("outbox.run", [this, wg] { run(wg); });
  }
  void run(WaitGroup* wg) {
    main_loop();
    if (fixed) row_channel.consumer_closed();  // the fix; the bug returns without it
    if (wg) wg->done();
  }
  void main_loop() {}  // fails at startup: returns at once
};

// The test's objects, shared: "blockedPusher" may outlive the test function.
struct TestState {
  Outbox outbox;
  WaitGroup wg;
  WaitGroup blocked_pusher_wg;
};

inline void run(bool fixed) {
  auto t = std::make_shared<TestState>();
  t->outbox.fixed = fixed;
  t->outbox.init();
  for (int i = 0; i < kOutboxBufRows; ++i) t->outbox.row_channel.push();
  t->blocked_pusher_wg.add(1);
  go("blockedPusher", [t] {
    t->outbox.row_channel.push();
    t->blocked_pusher_wg.done();
  });
  t->outbox.start(&t->wg);
  t->wg.wait();
  t->outbox.row_channel.push();
}

inline Scenario scenario() {
  return {"goker/cockroach/35073", "an outbox failing at startup leaves its full row channel undrained",
          {sim::Verdict::deadlock, "main", sim::FiberState::blocked, "chan send", "deadlock: all fibers are blocked"},
          "goker/cockroach/35073_fixed", [] { run(false); }};
}

inline Scenario fixed_scenario() {
  return {"goker/cockroach/35073_fixed", "the outbox marks its consumer closed when its run loop ends",
          {}, "goker/cockroach/35073", [] { run(true); }};
}

}  // namespace lockstep::scenarios::cockroach35073
