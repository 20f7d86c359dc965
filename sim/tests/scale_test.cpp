// Scale: 100,000 fibers parked at once, on timers, on a channel and in
// selects on a channel and a timer, then released; every fiber's wake-up time
// is asserted exactly, and the order of wake-ups among equal deadlines.
//
// What this guards is behaviour at a size where per-fiber overheads show: a
// regression to a system call per fiber (a stack mapped, protected or
// unmapped per spawn or exit), or to a per-fiber cost in teardown or in the
// timer heap, makes this test take seconds instead of a fraction of one. The
// time itself is measured by bench/parked_rss and bench/sim_bench, never
// asserted here.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/tests/support.hpp"

using namespace std::chrono_literals;
namespace sim = lockstep::sim;
using lockstep::Chan;
using lockstep::Clock;
using lockstep::Duration;
using lockstep::kSimulationEpoch;

namespace {

constexpr int kSleepers = 40'000;   // sleep 1..97 ms
constexpr int kReceivers = 30'000;  // receive from one channel: main sends at 200 ms
constexpr int kSelecters = 30'000;  // select on `stop` (closed at 300 ms) and a timer of their own

Duration sleep_of(int i) { return 1ms * (i % 97 + 1); }
// Odd selecters time out before `stop` closes, at 250..256 ms; even ones
// would wait an hour: `stop` releases them and they stop their timers.
Duration timeout_of(int k) { return k % 2 == 1 ? 250ms + 1ms * (k % 7) : Duration{1h}; }

std::int64_t ms_since_start() { return (Clock::now() - kSimulationEpoch) / 1ms; }

// The order in which fibers with deadlines should wake: by deadline, equal
// deadlines in the order the fibers parked (their spawn order).
template <class Deadline>
std::vector<int> by_deadline(const std::vector<int>& fibers, Deadline deadline) {
  std::vector<int> order = fibers;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return deadline(a) < deadline(b); });
  return order;
}

}  // namespace

TEST_CASE("scale: 100,000 fibers parked on timers and channels, released at exact virtual times",
          "[scale][timer][chan]") {
  std::vector<std::int64_t> sleeper_woke(kSleepers, -1), receiver_woke(kReceivers, -1),
      selecter_woke(kSelecters, -1);
  std::vector<int> receiver_got(kReceivers, -1);
  std::vector<int> sleep_order, timeout_order;
  int parked_at_wait = -1;
  auto r = sim::run([&] {
    Chan<int> work(0);
    Chan<int> stop(0);
    lockstep::WaitGroup done;
    done.add(kSleepers + kReceivers + kSelecters);
    for (int i = 0; i < kSleepers; ++i)
      lockstep::go([&, i] {
        lockstep::sleep(sleep_of(i));
        sleeper_woke[i] = ms_since_start();
        sleep_order.push_back(i);
        done.done();
      });
    for (int j = 0; j < kReceivers; ++j)
      lockstep::go([&, j] {
        receiver_got[j] = *work.recv();
        receiver_woke[j] = ms_since_start();
        done.done();
      });
    for (int k = 0; k < kSelecters; ++k)
      lockstep::go([&, k] {
        lockstep::Timer timer(timeout_of(k));
        lockstep::select(lockstep::on_recv(stop), lockstep::on_recv(timer.chan(), [&] { timeout_order.push_back(k); }));
        timer.stop();
        selecter_woke[k] = ms_since_start();
        done.done();
      });
    lockstep::sim::wait();  // all 100,000 parked, at time 0
    parked_at_wait = static_cast<int>(lockstep::detail::current_runtime()->live_tasks()) - 1;
    lockstep::sleep(200ms);
    for (int j = 0; j < kReceivers; ++j) work.send(j);  // receivers queued in spawn order
    lockstep::sleep(100ms);
    stop.close();
    done.wait();
  });
  REQUIRE(r.passed());
  CHECK(parked_at_wait == kSleepers + kReceivers + kSelecters);
  CHECK(r.peak_fibers == kSleepers + kReceivers + kSelecters + 1);
  CHECK(r.elapsed() == 300ms);

  int wrong = 0;  // counted, not CHECKed one by one: a failure prints one line, not 100,000
  for (int i = 0; i < kSleepers; ++i) wrong += sleeper_woke[i] != sleep_of(i) / 1ms;
  CHECK(wrong == 0);
  std::vector<int> sleepers(kSleepers);
  for (int i = 0; i < kSleepers; ++i) sleepers[i] = i;
  CHECK(sleep_order == by_deadline(sleepers, sleep_of));

  wrong = 0;
  for (int j = 0; j < kReceivers; ++j) wrong += receiver_got[j] != j || receiver_woke[j] != 200;
  CHECK(wrong == 0);

  wrong = 0;
  std::vector<int> odd;
  for (int k = 0; k < kSelecters; ++k) {
    wrong += selecter_woke[k] != (k % 2 == 1 ? timeout_of(k) / 1ms : 300);
    if (k % 2 == 1) odd.push_back(k);
  }
  CHECK(wrong == 0);
  CHECK(timeout_order == by_deadline(odd, timeout_of));
}
