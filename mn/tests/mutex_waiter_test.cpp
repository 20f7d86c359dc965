// Where a goroutine parked in Mutex::lock() keeps its waiter. The unlocker
// writes into that waiter from another core, and its place in cache lines
// decided a contended Mutex's speed (docs/real-mode.md, "Performance"): one
// 8-byte field more moved it and made real_bench's mutex_32 35% slower. Speed
// is never asserted in tests; the placement that fixed it is.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <string_view>

#include "lockstep.hpp"
#include "mn/goroutine.hpp"
#include "mn/mn_runtime.hpp"
#include "threads/tests/eventually.hpp"

using lockstep::mn::detail::Goroutine;
using lockstep::mn::detail::GState;

namespace {

// lock_below() calls mu.lock() N bytes deeper in the stack, so that the
// waiters of the goroutines below start at different offsets from a line.
template <int N>
[[gnu::noinline]] void lock_below(lockstep::Mutex& mu) {
  volatile char pad[N];
  pad[0] = 0;
  mu.lock();
  pad[N - 1] = pad[0];
}

}  // namespace

TEST_CASE("mn: a goroutine parked in Mutex::lock() waits on a waiter that starts a cache line",
          "[real][mn][mutex]") {
  if (dynamic_cast<lockstep::mn::detail::MnRuntime*>(&lockstep::detail::real_runtime()) == nullptr) {
    WARN("skipped: the thread runtime records no wait object");
    return;
  }
  lockstep::LeakCheck leaks;
  lockstep::Mutex mu;
  mu.lock();  // held by this thread: the goroutines below park
  std::atomic<Goroutine*> g[4] = {};
  lockstep::WaitGroup wg;
  auto waiter = [&](int i, void (*lock)(lockstep::Mutex&)) {
    wg.go([&, i, lock] {
      g[i].store(&static_cast<Goroutine&>(lockstep::detail::current_runtime()->current()));
      lock(mu);
      mu.unlock();
    });
  };
  waiter(0, lock_below<16>);
  waiter(1, lock_below<32>);
  waiter(2, lock_below<48>);
  waiter(3, lock_below<64>);
  for (auto& p : g) {
    // Its state turns parked (acquire) only after its wait was written.
    REQUIRE(lockstep::test::eventually([&] {
      Goroutine* t = p.load();
      return t != nullptr && t->state.load(std::memory_order_acquire) == GState::parked;
    }));
    CHECK(std::string_view(p.load()->wait.reason) == "sync.Mutex.Lock");
    CHECK(reinterpret_cast<std::uintptr_t>(p.load()->wait.object) % 64 == 0);
  }
  mu.unlock();
  wg.wait();
}
