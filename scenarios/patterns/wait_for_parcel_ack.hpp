// wait_for_parcel_ack(): wait until the courier's app acknowledges one
// parcel, with one overall timeout. Acks for other parcels arrive on the
// same channel and are skipped.
//
//   switch (wait_for_parcel_ack(ctx, acks, parcel.id, 30s)) { ... }
//
// The deadline is one Timer created before the loop: however many unrelated
// acks arrive, the wait ends `timeout` after it began (after() inside the
// loop would restart the clock on every unrelated ack). Returns acked,
// timed_out (at exactly start + timeout), cancelled, or closed (the acks
// channel closed first).
#pragma once

#include <optional>
#include <string>

#include "lockstep.hpp"

namespace lockstep::scenarios {

struct Ack {
  int parcel_id = 0;
};

enum class AckOutcome { acked, timed_out, cancelled, closed };

inline std::string to_string(AckOutcome o) {
  switch (o) {
    case AckOutcome::acked: return "acked";
    case AckOutcome::timed_out: return "timed out";
    case AckOutcome::cancelled: return "cancelled";
    case AckOutcome::closed: return "closed";
  }
  return "?";
}

// next_ack_event() waits for one event: an ack (nullopt if it is for another
// parcel), the `timeout` channel firing, the cancel, or the close.
inline std::optional<AckOutcome> next_ack_event(const Context& ctx, const RecvChan<Ack>& acks, int parcel_id,
                                                const RecvChan<TimePoint>& timeout) {
  std::optional<AckOutcome> outcome;
  select(on_recv(acks,
                 [&](std::optional<Ack> a) {
                   if (!a) outcome = AckOutcome::closed;
                   else if (a->parcel_id == parcel_id) outcome = AckOutcome::acked;
                 }),
         on_recv(timeout, [&] { outcome = AckOutcome::timed_out; }),
         on_recv(ctx.done(), [&] { outcome = AckOutcome::cancelled; }));
  return outcome;
}

inline AckOutcome wait_for_parcel_ack(const Context& ctx, RecvChan<Ack> acks, int parcel_id, Duration timeout) {
  Timer deadline(timeout);  // once, before the loop
  for (;;) {
    if (auto outcome = next_ack_event(ctx, acks, parcel_id, deadline.chan())) {
      deadline.stop();
      return *outcome;
    }
  }
}

}  // namespace lockstep::scenarios
