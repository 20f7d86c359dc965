// The README's "A taste", as a program: a courier reports its ETA after 90
// seconds, the caller gives up after 2 minutes; in a simulation the 90 s are
// virtual, so the run takes microseconds. Prints:
//
//   verdict passed, eta 12 min, virtual time 1m30s
#include <lockstep.hpp>

#include <cstdio>
#include <optional>

using namespace std::chrono_literals;

int main() {
  int eta_minutes = -1;  // -1: timed out
  auto report = lockstep::sim::run([&] {
    lockstep::Chan<int> eta(0);
    lockstep::go("courier", [eta] {
      lockstep::sleep(90s);
      eta.send(12);
    });
    auto [ctx, cancel] = lockstep::with_timeout(lockstep::background(), 2min);
    lockstep::select(lockstep::on_recv(eta, [&](std::optional<int> minutes) { eta_minutes = minutes.value_or(-1); }),
                     lockstep::on_recv(ctx.done(), [] { /* timed out */ }));
    cancel();
  });
  std::printf("verdict %s, eta %d min, virtual time %s\n", lockstep::sim::to_string(report.verdict).c_str(),
              eta_minutes, lockstep::format_duration(report.elapsed()).c_str());
  return report.passed() ? 0 : 1;
}
