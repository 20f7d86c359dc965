// Fixed twin of forgotten_reply: the dispatcher closes the confirmation
// channel on every path (ClosesOnExit, Go's `defer close(confirmed)`), so
// on the error path the notifier's receive ends with nothing and it returns
// without telling the customer; the dispatcher waits for it. Passes on every
// schedule, having notified nobody.
#pragma once

#include <chrono>

#include "lockstep.hpp"
#include "scenarios/mistakes/forgotten_reply.hpp"
#include "scenarios/model.hpp"
#include "scenarios/patterns/stream_scans.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

inline void forgotten_reply_fixed() {
  Chan<int> confirmed(0);
  Atomic<int> notified{0};
  WaitGroup notifier;
  notifier.go("pickup-notifier", [confirmed, &notified] {
    if (confirmed.recv()) notified.fetch_add(1);
  });
  {
    ClosesOnExit<int> closer{confirmed};  // every path out of this scope replies
    Result<Parcel> parcel = load_cancelled_parcel(1009);
    if (parcel.ok()) confirmed.send(7);
  }
  notifier.wait();
  check(notified.load() == 0, "nobody is told a cancelled parcel is on its way");
}

inline Scenario forgotten_reply_fixed_scenario() {
  return {"mistakes/forgotten_reply_fixed", "the reply channel is closed on every path, the error path included",
          {}, "mistakes/forgotten_reply", &forgotten_reply_fixed};
}

}  // namespace lockstep::scenarios
