// Stack pool: the canary tier's packed layout (runtime/stack_pool.hpp), what
// trim() returns in it, and what it saves a simulation: parking a fiber on a
// fresh stack takes one page fault, not two.
//
// The layout tests carve stacks from a pool of their own and read the
// addresses back; the fault test counts the process's minor faults
// (getrusage) around spawning and parking fibers on a stack size no other
// test uses, so every stack is fresh.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "runtime/sanitizer_hooks.hpp"
#include "runtime/stack_pool.hpp"
#include "sim/tests/support.hpp"

using namespace std::chrono_literals;
namespace sim = lockstep::sim;
using lockstep::detail::canary_intact;
using lockstep::detail::kCanaryBytes;
using lockstep::detail::Stack;
using lockstep::detail::StackPool;

namespace {

std::uintptr_t address(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

#if !defined(LOCKSTEP_ASAN) && !defined(LOCKSTEP_TSAN)
long minor_faults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}
#endif

}  // namespace

TEST_CASE("stack pool: canary stacks are packed end to end, each canary below a page boundary",
          "[stack_pool]") {
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  StackPool pool;
  Stack a = pool.acquire(32 * 1024, false);
  Stack b = pool.acquire(32 * 1024, false);
  CHECK(a.packed);
  CHECK_FALSE(a.guarded);
  CHECK(a.size == 32 * 1024);
  CHECK(address(b.base) == address(a.top()));  // no page between them
  CHECK((address(a.base) + kCanaryBytes) % page == 0);
  CHECK(canary_intact(a));
  CHECK(canary_intact(b));
  pool.release(b);
  pool.release(a);
}

TEST_CASE("stack pool: trim returns a free packed stack's pages and keeps its live neighbour's",
          "[stack_pool]") {
  // b sits on a: a's top page also holds b's canary; b's first whole page is
  // b's alone. Trimming a (free) must zero a's pages and the canary (zeros
  // anyway) but not touch b's bytes.
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  StackPool pool;
  Stack a = pool.acquire(16 * 1024, false);
  Stack b = pool.acquire(16 * 1024, false);
  REQUIRE(address(b.base) == address(a.top()));
  unsigned char* a_top_page = b.base + kCanaryBytes - page;  // a's highest page
  unsigned char* b_first_page = b.base + kCanaryBytes;
  std::memset(a.base + kCanaryBytes, 0xa5, a.size - kCanaryBytes);  // all of a but its canary
  std::memset(b_first_page, 0x5a, page);
  pool.release(a);
  pool.trim(0);
  CHECK(a_top_page[0] == 0);
  CHECK(a_top_page[page - kCanaryBytes - 1] == 0);
  CHECK(b_first_page[0] == 0x5a);
  CHECK(b_first_page[page - 1] == 0x5a);
  CHECK(canary_intact(b));
  pool.release(b);
}

TEST_CASE("stack pool: a fiber parked on a fresh canary stack costs one page fault, not two",
          "[stack_pool][scale]") {
  // Before packing, the canary had a page of its own: the first switch out
  // of every fresh fiber read it, a fault (the kernel's zero page), on top of
  // the fault of the stack's top page. Now the canary lies in the top page of
  // the stack below, already touched. The other faults here are the heap
  // growing for the fibers' records and the timers (about one in ten fibers).
  // Counting faults is meaningless under sanitizers (their shadow memory
  // faults too).
#if defined(LOCKSTEP_ASAN) || defined(LOCKSTEP_TSAN)
  SUCCEED("not measured under a sanitizer");
#else
  constexpr int kFibers = 4000;
  sim::Options o;
  o.stack_size = 44 * 1024;  // a size no other test uses: every stack is fresh
  o.guard_pages = false;
  long faults = 0;
  auto r = sim::run(
      [&] {
        long before = minor_faults();
        for (int i = 0; i < kFibers; ++i) lockstep::go([] { lockstep::sleep(1h); });
        lockstep::sim::wait();
        faults = minor_faults() - before;
      },
      o);
  CHECK(r.verdict == sim::Verdict::leak);
  INFO("minor faults " << faults << " for " << kFibers << " fibers");
  CHECK(faults >= kFibers);         // each fresh stack's top page
  CHECK(faults < kFibers * 3 / 2);  // before packing: 2 per fiber
#endif
}
