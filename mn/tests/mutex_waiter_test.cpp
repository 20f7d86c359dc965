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

TEST_CASE("mn: a goroutine parked in Mutex::lock() waits on a waiter that starts a cache line",
          "[real][mn][mutex]") {
  if (dynamic_cast<lockstep::mn::detail::MnRuntime*>(&lockstep::detail::real_runtime()) == nullptr) {
    WARN("skipped: the thread runtime records no wait object");
    return;
  }
  lockstep::LeakCheck leaks;
  lockstep::Mutex mu;
  mu.lock();  // held by this thread: the goroutine below parks
  std::atomic<Goroutine*> g{nullptr};
  lockstep::WaitGroup wg;
  wg.go([&] {
    g.store(&static_cast<Goroutine&>(lockstep::detail::current_runtime()->current()));
    mu.lock();
    mu.unlock();
  });
  // Its state turns parked (acquire) only after its wait was written.
  REQUIRE(lockstep::test::eventually([&] {
    Goroutine* p = g.load();
    return p != nullptr && p->state.load(std::memory_order_acquire) == GState::parked;
  }));
  CHECK(std::string_view(g.load()->wait.reason) == "sync.Mutex.Lock");
  CHECK(reinterpret_cast<std::uintptr_t>(g.load()->wait.object) % 64 == 0);
  mu.unlock();
  wg.wait();
}
