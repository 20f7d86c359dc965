// Channel operations allocate nothing in steady state: this file replaces the
// global operator new for the whole test binary with one that counts (under
// AddressSanitizer or ThreadSanitizer, which own operator new, a malloc hook
// counts), and each
// test checks that the count does not move across many operations once
// the channels, fibers and queues exist.
#include <cstdlib>
#include <new>

#include "primitives/tests/support.hpp"
#include "runtime/sanitizer_hooks.hpp"

#if defined(LOCKSTEP_ASAN) || defined(LOCKSTEP_TSAN)
// From the sanitizer runtime (g++ ships no header that declares it).
extern "C" int __sanitizer_install_malloc_and_free_hooks(
    void (*on_malloc)(const volatile void*, std::size_t), void (*on_free)(const volatile void*));
#endif

namespace {
thread_local std::size_t allocations = 0;
}  // namespace

#if defined(LOCKSTEP_ASAN) || defined(LOCKSTEP_TSAN)
// The sanitizer owns operator new; it reports every allocation to a hook.
namespace {
void count_allocation(const volatile void*, std::size_t) { ++allocations; }
void ignore_free(const volatile void*) {}
const int hooks_installed = __sanitizer_install_malloc_and_free_hooks(count_allocation, ignore_free);
}  // namespace
#else
void* operator new(std::size_t n) {
  ++allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
#endif

using lockstep::Chan;
using lockstep::test::run_checked;

namespace {

// ping_pong() bounces a value between two fibers `rounds` times and returns
// how many allocations the bouncing itself made.
std::size_t ping_pong_allocations(Chan<int> ping, Chan<int> pong, int rounds) {
  lockstep::go([=] {
    for (;;) {
      auto v = ping.recv();
      if (!v) return;
      pong.send(*v + 1);
    }
  });
  for (int i = 0; i < 100; ++i) ping.send(i), pong.recv();  // warm up
  std::size_t before = allocations;
  for (int i = 0; i < rounds; ++i) {
    ping.send(i);
    REQUIRE(pong.recv() == i + 1);
  }
  std::size_t made = allocations - before;
  ping.close();
  return made;
}

}  // namespace

TEST_CASE("alloc: the counter sees allocations", "[alloc]") {
  // Without this the tests below could not fail.
  std::size_t before = allocations;
  auto p = std::make_unique<int>(1);
  CHECK(allocations == before + 1);
  Chan<int> c(4);
  CHECK(allocations > before + 1);
}

TEST_CASE("alloc: unbuffered channel ping-pong allocates nothing in steady state", "[alloc][chan]") {
  std::size_t made = 1;
  run_checked([&] { made = ping_pong_allocations(Chan<int>(0), Chan<int>(0), 10'000); });
  CHECK(made == 0);
}

TEST_CASE("alloc: buffered channel traffic allocates nothing in steady state", "[alloc][chan]") {
  std::size_t made = 1;
  run_checked([&] { made = ping_pong_allocations(Chan<int>(64), Chan<int>(64), 10'000); });
  CHECK(made == 0);
}

TEST_CASE("alloc: select allocates nothing in steady state", "[alloc][select]") {
  std::size_t made = 1;
  run_checked([&] {
    constexpr int kWarm = 100, kCounted = 10'000;
    Chan<int> a(0), b(0);
    lockstep::go([=] {
      for (int i = 0; i < kWarm + kCounted; ++i) (i % 2 == 0 ? a : b).send(i);
    });
    auto once = [&] { lockstep::select(lockstep::on_recv(a), lockstep::on_recv(b)); };
    for (int i = 0; i < kWarm; ++i) once();
    std::size_t before = allocations;
    for (int i = 0; i < kCounted; ++i) once();
    made = allocations - before;
  });
  CHECK(made == 0);
}

TEST_CASE("alloc: under a random strategy without decision recording, still nothing",
          "[alloc][strategy]") {
  std::size_t made = 1;
  auto o = lockstep::test::seeded(lockstep::sim::Strategy::random(), 3);
  o.record_decisions = false;
  run_checked([&] { made = ping_pong_allocations(Chan<int>(0), Chan<int>(0), 10'000); }, o);
  CHECK(made == 0);
}
