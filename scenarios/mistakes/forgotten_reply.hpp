// Mistake: a reply forgotten on an early return.
//
// Handing parcel 1009 to courier 7, the dispatcher starts a notifier that
// waits for the courier's pickup confirmation, then tells the customer. Then
// it loads the parcel, 200 ms; the customer has cancelled it, so the
// dispatcher returns the error at once. The confirmation is sent on the
// success path only: nobody will ever send on the channel the notifier is
// waiting on (Go's classic goroutine leak in a receive).
//
// Caught by: the `leak` verdict on every schedule. When main returns at
// +200ms the notifier is still parked in its receive:
//   leak: main returned but 1 fiber remains blocked
//   1 fiber blocked [chan receive] at scenarios/mistakes/forgotten_reply.hpp:...
//     fiber 2 "pickup-notifier" on chan<int> #1 cap=0 len=0 since +0s
// Fixed twin: forgotten_reply_fixed.hpp (the channel is closed on every path).
#pragma once

#include <chrono>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

// load_cancelled_parcel() is the parcel store's answer after 200 ms: the
// customer cancelled the parcel.
inline Result<Parcel> load_cancelled_parcel(int id) {
  sleep(std::chrono::milliseconds(200));
  return Result<Parcel>::failure(make_error(fmt::format("parcel {} was cancelled", id)));
}

inline void forgotten_reply() {
  Chan<int> confirmed(0);  // the courier id that picked the parcel up
  // Shared, not a local of main: the notifier is still alive when main returns.
  auto notified = std::make_shared<Atomic<int>>(0);
  go("pickup-notifier", [confirmed, notified] {
    if (confirmed.recv()) notified->fetch_add(1);  // "your parcel is on its way"
  });
  Result<Parcel> parcel = load_cancelled_parcel(1009);
  if (!parcel.ok()) return;  // BUG: returns without a reply for the notifier
  confirmed.send(7);
}

inline Scenario forgotten_reply_scenario() {
  return {"mistakes/forgotten_reply", "an early return on error skips the reply a goroutine waits for",
          {sim::Verdict::leak, "pickup-notifier", sim::FiberState::blocked, "chan receive",
           "leak: main returned"},
          "mistakes/forgotten_reply_fixed", &forgotten_reply};
}

}  // namespace lockstep::scenarios
