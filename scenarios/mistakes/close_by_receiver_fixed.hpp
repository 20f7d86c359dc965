// Fixed twin of close_by_receiver: the receiver that wants no more cancels a
// context; the scanner, which owns the channel, sees it in its send's select,
// returns and closes (stream_scans' shape). The receiver drains until the
// close, so it knows the scanner is gone. Passes on every schedule.
#pragma once

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/patterns/stream_scans.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

inline void close_by_receiver_fixed() {
  Chan<Scan> scans(0);
  auto [ctx, cancel] = with_cancel(background());
  go("scanner", [scans, ctx = ctx] {
    ClosesOnExit<Scan> closer{scans};
    for (int id = 1; id <= 5; ++id)
      if (!send_or_done(ctx, SendChan<Scan>(scans), Scan{id, 1})) return;
  });
  int wanted = 0;
  for (int i = 0; i < 2; ++i) wanted += scans.recv() ? 1 : 0;
  cancel();  // "no more, thanks"
  while (scans.recv()) {
  }  // until the scanner closes: it has stopped
  check(wanted == 2, "the receiver got the two scans it wanted");
}

inline Scenario close_by_receiver_fixed_scenario() {
  return {"mistakes/close_by_receiver_fixed", "the receiver cancels; the sender stops and closes",
          {}, "mistakes/close_by_receiver", &close_by_receiver_fixed};
}

}  // namespace lockstep::scenarios
