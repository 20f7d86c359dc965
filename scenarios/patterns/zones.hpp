// ZoneTable: the delivery zones, loaded once on first use (Go's sync.Once,
// the article's zoneOnce). Every caller gets the same table; callers that
// arrive while the first one loads wait for it ("sync.Once.Do"), later ones
// return at once.
//
//   ZoneTable zones(store_latency);
//   int zone = zones.zone_of(parcel);   // loads the table on the first call
//
// A Once that fails is done for good (see mistakes/once_no_retry for the
// consequence); this loader cannot fail. A global `lockstep::Once` works too:
// it binds to a simulation only while it runs.
#pragma once

#include <map>

#include "lockstep.hpp"
#include "scenarios/model.hpp"

namespace lockstep::scenarios {

class ZoneTable {
 public:
  explicit ZoneTable(Duration load_time = std::chrono::milliseconds(50)) : load_time_(load_time) {}

  // zone_of() returns the parcel's delivery zone; blocks on the first call.
  int zone_of(const Parcel& p) {
    once_.call([this] { load(); });
    auto it = zone_by_depot_.find(p.id % 4);
    return it == zone_by_depot_.end() ? -1 : it->second;
  }

  int loads() const noexcept { return loads_; }

 private:
  void load() {
    ++loads_;
    sleep(load_time_);  // the zone service answers
    for (int depot = 0; depot < 4; ++depot) zone_by_depot_[depot] = 100 + depot;
  }

  Once once_;
  Duration load_time_;
  std::map<int, int> zone_by_depot_;  // written once under once_, then read-only
  int loads_ = 0;                     // written under once_ only
};

}  // namespace lockstep::scenarios
