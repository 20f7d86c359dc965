// GoKer cockroach#2448: MultiRaft and the store wait for each other's
// channels. https://github.com/cockroachdb/cockroach/pull/2448
//
// The store's processRaft takes a membership-change event and runs its
// callback, which sends on callbackChan; MultiRaft's loop, which alone reads
// callbackChan, is meanwhile blocked sending the next event on Events, which
// only processRaft reads, after the callback returns.
//
// Verdict: `leak` (the test returns at once): fiber "start" (MultiRaft's
// loop) blocked [select] in sendEvent, "processRaft" blocked [select] in
// the callback.
// Under PCT with strict priorities to the end, processRaft could keep the
// higher priority on some schedules (27 of the first 200 from seed 1):
// start always found the callback ready before its default case, and the
// two exchanged events forever, a `livelock` verdict Go's fair scheduler
// never produces. That was PCT's unfairness, fixed in lockstep (PCT is fair
// past its step bound); every PCT schedule now ends in the leak. The
// livelock budget stays 100,000 steps (the deadlock comes within a few
// hundred).
// No fixed twin: the kernel's FIX comment (queue events instead of blocking
// in sendEvent) needs a loop that ends, and nothing in the kernel ever
// stops: without the deadlock both goroutines run forever, so a fixed twin
// would end as a livelock, not a pass.
//
// Port differences from Go:
// - `chan interface{}` carrying *EventMembershipChangeCommitted is a
//   Chan<std::shared_ptr<Event>>, with the one event type; `chan func()` is a
//   channel of shared_ptr<const std::function<void()>> (GCC misjudges an
//   optional<std::function> as maybe uninitialised).
// - The callback's `time.Sleep(time.Nanosecond)` is a yield(): virtual
//   time stops when the test function returns (synctest's rule), so a
//   sleeping callback would never wake and leak for a reason of its own;
//   a yield keeps the scheduling point without needing time.
// - Goroutines `go s.processRaft()` and `go st.start()` are the fibers
//   "processRaft" and "start"; the objects are shared_ptr-owned since they
//   outlive the test function.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::cockroach2448 {

struct EventMembershipChangeCommitted {
  std::function<void()> callback;
};

struct MultiRaft {
  Chan<bool> done{0};  // the stopper's channel: nobody closes it
  Chan<std::shared_ptr<EventMembershipChangeCommitted>> events{0};
  Chan<std::shared_ptr<const std::function<void()>>> callback_chan{0};

  RecvChan<bool> should_stop() const { return done; }
  // send_event() can be called many times; it blocks until processRaft
  // takes the event.
  void send_event(std::shared_ptr<EventMembershipChangeCommitted> event) {
    select(on_send(events, std::move(event), [] {}), on_recv(should_stop()));
  }
  void start() {
    for (;;) {
      bool stop = false;
      select(on_recv(should_stop(), [&] { stop = true; }),
             on_recv(callback_chan, [](std::optional<std::shared_ptr<const std::function<void()>>> cb) { (**cb)(); }),
             on_default([&] { handle_write_response(); }));
      if (stop) return;
    }
  }
  void handle_write_response() { process_committed_entry(); }
  void process_committed_entry() {
    auto event = std::make_shared<EventMembershipChangeCommitted>();
    event->callback = [this] {
      auto cb = std::make_shared<const std::function<void()>>([] { yield(); });  // Go: time.Sleep(1ns)
      select(on_send(callback_chan, cb, [] {}), on_recv(should_stop()));  // waits for start() to read
    };
    send_event(std::move(event));
  }
};

struct Store {
  std::shared_ptr<MultiRaft> multiraft;

  void process_raft() {
    for (;;) {
      bool stop = false;
      select(on_recv(multiraft->events,
                     [](std::optional<std::shared_ptr<EventMembershipChangeCommitted>> e) {
                       if (*e && (*e)->callback) (*e)->callback();  // waits for start() to read callbackChan
                     }),
             on_recv(multiraft->should_stop(), [&] { stop = true; }));
      if (stop) return;
    }
  }
};

inline void run() {
  auto m = std::make_shared<MultiRaft>();
  auto s = std::make_shared<Store>(Store{m});
  go("processRaft", [s] { s->process_raft(); });
  go("start", [m] { m->start(); });
}

inline Scenario scenario() {
  return {.name = "goker/cockroach/2448",
          .summary = "each of two loops blocks sending to the other, which is busy sending back",
          .expect = {sim::Verdict::leak, "start", sim::FiberState::blocked, "select", "leak: main returned"},
          .body = &run,
          .livelock_steps = 100'000};
}

}  // namespace lockstep::scenarios::cockroach2448
