// EtaStore: a read-mostly cache of route ETAs behind an RWMutex (Go's
// sync.RWMutex). Many readers look up at once; a writer fills a missing
// entry alone:
//
//   EtaStore etas;
//   auto eta = etas.get_or_compute(ctx, courier, parcel, [&] { return plan(...); });
//
// get_or_compute() checks under the read lock, computes outside any lock
// (a slow computation must not block readers), then stores under the write
// lock, re-checking: a concurrent caller may have stored it meanwhile, and
// the first stored value wins, so every caller sees the same ETA.
// computations() counts how often the compute function ran.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <utility>

#include "lockstep.hpp"

namespace lockstep::scenarios {

class EtaStore {
 public:
  std::optional<Duration> get(int courier_id, int parcel_id) {
    mu_.rlock();
    std::optional<Duration> found;
    if (auto it = etas_.find({courier_id, parcel_id}); it != etas_.end()) found = it->second;
    mu_.runlock();
    return found;
  }

  // put() stores eta unless one is already there; returns the stored one.
  Duration put(int courier_id, int parcel_id, Duration eta) {
    mu_.lock();
    Duration stored = etas_.try_emplace({courier_id, parcel_id}, eta).first->second;
    mu_.unlock();
    return stored;
  }

  Duration get_or_compute(int courier_id, int parcel_id, const std::function<Duration()>& compute) {
    if (auto eta = get(courier_id, parcel_id)) return *eta;
    computations_.fetch_add(1);
    return put(courier_id, parcel_id, compute());
  }

  int computations() const { return computations_.load(); }

 private:
  RWMutex mu_;
  std::map<std::pair<int, int>, Duration> etas_;  // Guarded by mu_ (ordered: no pointer keys)
  Atomic<int> computations_{0};
};

}  // namespace lockstep::scenarios
