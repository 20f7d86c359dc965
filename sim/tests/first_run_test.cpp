// First run: a spawned fiber takes its stack when it first runs, not when it
// is spawned (sim/fiber.hpp, Simulation::start_fiber()). So fibers spawned in
// a wave and run one after another share two stacks, still in the cache; a
// fiber that never ran holds no stack; one that never ran and is left in
// place at teardown leaves its closure alive; and one that cannot get a
// stack ends the run with a verdict naming it.
//
// Stacks are told apart by the frame address of the fiber's body; memory by
// the process's minor faults (getrusage), on a stack size no other test uses
// so that every stack is fresh; exhaustion by a temporary address-space limit
// (setrlimit). The last two are meaningless under sanitizers (shadow memory).
#include <catch2/catch.hpp>
#include <sys/resource.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>

#include "sim/graveyard.hpp"
#include "sim/tests/support.hpp"

using namespace std::chrono_literals;
namespace sim = lockstep::sim;

namespace {

#if !defined(LOCKSTEP_ASAN) && !defined(LOCKSTEP_TSAN)
long minor_faults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

// AddressSpaceLimit lowers RLIMIT_AS to the process's size now plus `more`
// bytes, and restores it when it goes out of scope.
struct AddressSpaceLimit {
  rlimit saved{};
  explicit AddressSpaceLimit(std::size_t more) {
    std::ifstream status("/proc/self/status");
    long vm_kib = -1;
    for (std::string key; status >> key;)
      if (key == "VmSize:") status >> vm_kib;
    if (vm_kib < 0 || getrlimit(RLIMIT_AS, &saved) != 0) throw std::runtime_error("no VmSize or RLIMIT_AS");
    rlimit lower = saved;
    lower.rlim_cur = static_cast<rlim_t>(vm_kib) * 1024 + more;
    if (setrlimit(RLIMIT_AS, &lower) != 0) throw std::runtime_error("setrlimit(RLIMIT_AS) failed");
  }
  ~AddressSpaceLimit() { setrlimit(RLIMIT_AS, &saved); }
};
#endif

}  // namespace

TEST_CASE("first run: fibers spawned in a wave and run one after another share two stacks",
          "[first_run][stack_pool]") {
  // Fiber k+1 takes its stack as fiber k exits, while k's is still in use;
  // k's goes back to the pool right after, and fiber k+2 takes it. Taken at
  // spawn, as before, the wave held 100 stacks, each cold by its turn.
  std::set<std::uintptr_t> frames;
  int ran = 0;
  auto r = sim::run([&] {
    for (int i = 0; i < 100; ++i)
      lockstep::go([&] {
        frames.insert(reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0)));
        ++ran;
      });
    lockstep::sim::wait();
  });
  CHECK(r.verdict == sim::Verdict::passed);
  CHECK(ran == 100);
  CHECK(frames.size() == 2);
}

TEST_CASE("first run: a spawned fiber holds no stack until it runs", "[first_run][stack_pool][scale]") {
  // Spawning 4,000 fibers touches their records only (a page of heap per
  // dozen or so); each fresh stack's top page is touched, a fault, when its
  // fiber first runs. Taken at spawn, the spawns made 4,000 faults or more.
#if defined(LOCKSTEP_ASAN) || defined(LOCKSTEP_TSAN)
  SUCCEED("not measured under a sanitizer");
#else
  constexpr long kFibers = 4000;
  sim::Options o;
  o.stack_size = 52 * 1024;  // a size no other test uses: every stack is fresh
  o.guard_pages = false;
  long spawning = 0, running = 0;
  auto r = sim::run(
      [&] {
        long before = minor_faults();
        for (long i = 0; i < kFibers; ++i) lockstep::go([] { lockstep::sleep(1h); });
        long spawned = minor_faults();
        lockstep::sim::wait();
        spawning = spawned - before;
        running = minor_faults() - spawned;
      },
      o);
  CHECK(r.verdict == sim::Verdict::leak);
  INFO("minor faults: " << spawning << " spawning, " << running << " running " << kFibers << " fibers");
  CHECK(spawning < kFibers / 4);
  CHECK(running >= kFibers);  // each fresh stack's top page, at the first run
#endif
}

TEST_CASE("first run: a fiber that never ran, left in place, keeps its closure",
          "[first_run][teardown][orphan]") {
  // "parent" spawns "child" and returns; main runs next and throws, before
  // the child ever ran. The child's spawner returned, so the teardown leaves
  // it in place: with no stack yet, that is its closure, kept alive (never
  // destroyed, never run) in the graveyard.
  std::size_t before = sim::detail::buried();
  auto captured = std::make_shared<int>(7);
  std::weak_ptr<int> watch = captured;
  bool child_ran = false;
  auto r = sim::run([&] {
    lockstep::go("parent", [&] {
      lockstep::go("child", [&child_ran, keep = std::move(captured)] { child_ran = *keep == 7; });
    });
    lockstep::yield();  // the parent runs and returns; the child is queued behind main
    throw std::runtime_error("main gives up");
  });
  CHECK(r.verdict == sim::Verdict::exception);
  CHECK_FALSE(child_ran);
  CHECK(r.left_in_place == 1);
  CHECK(sim::detail::buried() == before + 1);
  CHECK_FALSE(watch.expired());
}

TEST_CASE("first run: a fiber that gets no stack ends the run with a verdict naming it",
          "[first_run][verdict]") {
  // Stacks of 1 GiB under an address-space limit of 3.5 GiB more than the
  // process uses: three fibers get one, the fourth's first run cannot. The
  // run ends there (exception verdict); the fibers that never ran are
  // dropped at teardown, unrun, the others unwound.
#if defined(LOCKSTEP_ASAN) || defined(LOCKSTEP_TSAN)
  SUCCEED("not measured under a sanitizer");
#else
  sim::Options o;
  o.stack_size = std::size_t{1} << 30;
  o.guard_pages = false;
  int parked = 0, line = 0;
  auto r = sim::run(
      [&] {
        AddressSpaceLimit limit((std::size_t{7} << 30) / 2);
        line = __LINE__ + 2;
        for (int i = 0; i < 6; ++i)
          lockstep::go(fmt::format("big {}", i), [&parked] {
            ++parked;
            lockstep::sleep(1h);
          });
        lockstep::sim::wait();
      },
      o);
  CHECK(r.verdict == sim::Verdict::exception);
  CHECK(r.message == fmt::format("exception in fiber 5 \"big 3\" (spawned at sim/tests/first_run_test.cpp:{}): "
                                 "no stack for its first run: std::bad_alloc",
                                 line));
  CHECK_THROWS_AS(std::rethrow_exception(r.exception), std::bad_alloc);
  CHECK(parked == 3);
  CHECK(r.fibers.size() == 7);  // main and the six, big 3 runnable among them
  CHECK(r.left_in_place == 0);
#endif
}
