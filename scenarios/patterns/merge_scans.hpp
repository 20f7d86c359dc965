// merge_scans(): fan-in of several scan streams into one channel. Many
// goroutines send on `out`, so none of them may close it: a separate closer
// waits for all of them on a WaitGroup, then closes, once.
//
//   auto all = merge_scans(ctx, {stream_scans(ctx, store, a, 1),
//                                stream_scans(ctx, store, b, 2)});
//   for (Scan s : all) use(s);          // ends when every input has ended
//
// Forwarders ("merge-0", "merge-1", ...) stop on ctx like the producers.
// The WaitGroup is shared through a shared_ptr: the closer outlives this
// function's frame.
#pragma once

#include <fmt/format.h>

#include <memory>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/patterns/stream_scans.hpp"

namespace lockstep::scenarios {

inline RecvChan<Scan> merge_scans(const Context& ctx, const std::vector<RecvChan<Scan>>& inputs) {
  Chan<Scan> out(0);
  auto forwarders = std::make_shared<WaitGroup>();
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    forwarders->go(fmt::format("merge-{}", i), [ctx, in = inputs[i], out] {
      while (auto scan = in.recv())
        if (!send_or_done(ctx, SendChan<Scan>(out), *scan)) return;
    });
  }
  go("merge-closer", [forwarders, out] {
    forwarders->wait();
    out.close();
  });
  return out;
}

}  // namespace lockstep::scenarios
