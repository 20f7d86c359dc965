// stream_scans(): one producer goroutine that owns its channel. Go's rule
// "the sender closes": only the goroutine that sends may close, and it closes
// exactly once, when it is done (Go's `defer close(out)`), so a receiver's
// range loop always ends.
//
//   for (Scan s : stream_scans(ctx, store, {1, 2, 3}, depot)) use(s);
//
// - A parcel whose load fails is skipped (a scan stream is best effort).
// - Every send also watches ctx.done(): a receiver that stops reading cancels
//   ctx, and the producer returns instead of blocking forever on its send.
// - The producer is named "scan-producer" in goroutine dumps.
#pragma once

#include <utility>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/service/lookup_store.hpp"

namespace lockstep::scenarios {

// ClosesOnExit closes a channel when its scope ends, however it ends (Go's
// `defer close(ch)`).
template <class T>
struct ClosesOnExit {
  Chan<T> chan;
  ~ClosesOnExit() { chan.close(); }
};

// send_or_done() sends v unless ctx ends first; false if ctx ended.
template <class T>
bool send_or_done(const Context& ctx, const SendChan<T>& out, T v) {
  bool sent = false;
  select(on_send(out, std::move(v), [&] { sent = true; }), on_recv(ctx.done()));
  return sent;
}

inline RecvChan<Scan> stream_scans(const Context& ctx, LookupStore& store, std::vector<int> parcel_ids,
                                   int depot) {
  Chan<Scan> out(0);
  go("scan-producer", [ctx, &store, ids = std::move(parcel_ids), out, depot] {
    ClosesOnExit<Scan> closer{out};
    for (int id : ids) {
      auto parcel = store.load_parcel(ctx, id);
      if (ctx.err() != nullptr) return;  // cancelled while loading
      if (!parcel.ok()) continue;        // skip what failed to load
      if (!send_or_done(ctx, SendChan<Scan>(out), Scan{id, depot})) return;
    }
  });
  return out;
}

}  // namespace lockstep::scenarios
