// lockstep-demo: the main job until the courier scenarios exist. Runs two
// small simulations and prints their reports: a dispatcher whose couriers all
// report back (passed, in exact virtual time), and the same dispatcher with
// one courier that never stops (a leak, with its dump).
#include <fmt/format.h>

#include <chrono>
#include <cstdio>

#include "lockstep.hpp"

using namespace std::chrono_literals;
namespace sim = lockstep::sim;

namespace {

void dispatch(int couriers, bool one_never_stops) {
  for (int i = 1; i <= couriers; ++i) {
    lockstep::go(fmt::format("courier-{}", i), [i] { lockstep::sleep(i * 90s); });
  }
  if (one_never_stops) {
    lockstep::go("heartbeat", [] {
      for (;;) lockstep::sleep(std::chrono::hours(24 * 400));  // past the horizon: never returns
    });
  }
  lockstep::sim::wait();  // every courier is on the road
  lockstep::sleep(5min);  // the longest trip is 3 x 90 s
}

}  // namespace

int main() {
  sim::Options options;
  options.strategy = sim::Strategy::random();
  options.seed = 2026;

  auto ok = sim::run([] { dispatch(3, false); }, options);
  std::fputs(sim::to_string(ok).c_str(), stdout);

  auto leak = sim::run([] { dispatch(3, true); }, options);
  std::fputs(sim::to_string(leak).c_str(), stdout);

  bool as_expected = ok.passed() && ok.elapsed() == 5min && leak.verdict == sim::Verdict::leak;
  std::printf("\ndemo %s\n", as_expected ? "ok: verdicts as expected" : "FAILED: unexpected verdicts");
  return as_expected ? 0 : 1;
}
