// Fixed twin of missing_receiver: main receives while the planners run; a
// closer goroutine waits for the planners and closes the channel, which ends
// main's loop (merge_scans' shape). Passes on every schedule with 3 routes.
#pragma once

#include <chrono>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios {

inline void missing_receiver_fixed() {
  Chan<Route> routes(0);
  auto planners = std::make_shared<WaitGroup>();
  for (int i = 1; i <= 3; ++i)
    planners->go("route-planner", [routes, i] {
      sleep(std::chrono::milliseconds(10) * i);
      routes.send(Route{i, 100 + i, std::chrono::minutes(10)});
    });
  go("routes-closer", [planners, routes] {
    planners->wait();
    routes.close();
  });
  int received = 0;
  for (Route r : routes) received += r.courier_id > 0 ? 1 : 0;
  check(received == 3, "main received the 3 routes");
}

inline Scenario missing_receiver_fixed_scenario() {
  return {"mistakes/missing_receiver_fixed", "main receives; a closer waits for the senders",
          {}, "mistakes/missing_receiver", &missing_receiver_fixed};
}

}  // namespace lockstep::scenarios
