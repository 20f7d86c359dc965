// Atomic<T>: the operations on integers, bool and pointers; every access is
// a scheduling point, so fuzzing finds a lost update between load() and
// store() and never one with fetch_add(); a constinit global works outside
// any simulation, in successive simulations and on other threads.
#include <thread>

#include "primitives/tests/support.hpp"

using lockstep::Atomic;
using lockstep::test::run_both;
using lockstep::test::run_checked;
using lockstep::test::run_sim;
using lockstep::test::seeded;
namespace sim = lockstep::sim;

namespace {
constinit Atomic<long> g_hits{0};
}  // namespace

TEST_CASE("atomic: operations on integers, bool and pointers", "[atomic][both]") {
  // Proves each operation's result and return value, on both runtimes.
  run_both([] {
    Atomic<int> n;
    CHECK(n.load() == 0);
    n.store(5);
    CHECK(n.exchange(7) == 5);
    CHECK(n.fetch_add(3) == 7);
    CHECK(n.fetch_sub(4) == 10);
    CHECK(n.load() == 6);
    int expected = 1;
    CHECK_FALSE(n.compare_exchange(expected, 9));
    CHECK(expected == 6);  // the value found
    CHECK(n.compare_exchange(expected, 9));
    CHECK(n.load() == 9);

    Atomic<bool> flag;
    CHECK_FALSE(flag.exchange(true));
    CHECK(flag.load());

    int items[4] = {10, 20, 30, 40};
    Atomic<int*> cursor(items);
    CHECK(cursor.fetch_add(2) == items);
    CHECK(*cursor.load() == 30);
    CHECK(cursor.fetch_sub(1) == items + 2);
    CHECK(cursor.load() == items + 1);

    Atomic<std::uint64_t> wide(~std::uint64_t{0});
    CHECK(wide.fetch_add(1) == ~std::uint64_t{0});  // wraps, as Go's unsigned atomics
    CHECK(wide.load() == 0);
  });
}

TEST_CASE("atomic: every access is a scheduling point that fuzzing explores", "[atomic][fuzz]") {
  // Proves the random strategy switches fibers between a load() and the
  // store() after it: some seed among 50 loses an update with that pattern,
  // and no seed loses one with fetch_add().
  auto lost_update = [](bool read_modify_write, std::uint64_t seed) {
    long final_value = 0;
    auto r = run_sim(
        [&] {
          Atomic<long> n;
          for (int f = 0; f < 2; ++f)
            lockstep::go([&] {
              for (int i = 0; i < 3; ++i) {
                if (read_modify_write)
                  n.fetch_add(1);
                else
                  n.store(n.load() + 1);
              }
            });
          lockstep::sim::wait();
          final_value = n.load();
        },
        seeded(sim::Strategy::random(), seed));
    REQUIRE(r.verdict == sim::Verdict::passed);
    return final_value != 6;
  };
  int lost_with_load_store = 0;
  int lost_with_fetch_add = 0;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    lost_with_load_store += lost_update(false, seed) ? 1 : 0;
    lost_with_fetch_add += lost_update(true, seed) ? 1 : 0;
  }
  CHECK(lost_with_load_store > 0);
  CHECK(lost_with_fetch_add == 0);
}

TEST_CASE("atomic: a constinit global works outside and inside simulations, on any thread",
          "[atomic][global]") {
  // Proves an Atomic never binds to a runtime: the same global is updated
  // outside any simulation, by two successive simulations, and by plain
  // threads at the same time, and no update is lost.
  g_hits.store(0);
  g_hits.fetch_add(1);
  run_checked([] { g_hits.fetch_add(10); });
  run_checked([] { g_hits.fetch_add(100); });
  std::thread a([] {
    for (int i = 0; i < 1000; ++i) g_hits.fetch_add(1);
  });
  std::thread b([] {
    for (int i = 0; i < 1000; ++i) g_hits.fetch_add(1);
  });
  a.join();
  b.join();
  CHECK(g_hits.load() == 2111);
}

TEST_CASE("atomic: copy-initialisation from T compiles, as with std::atomic", "[atomic][both]") {
  // `Atomic<int> x = 0;` is how std::atomic is written; a non-explicit
  // constructor accepts it. Atomic stays non-copyable.
  static_assert(std::is_convertible_v<int, Atomic<int>>);
  static_assert(std::is_convertible_v<bool, Atomic<bool>>);
  static_assert(!std::is_copy_constructible_v<Atomic<int>>);
  run_both([] {
    Atomic<int> n = 3;
    Atomic<bool> flag = true;
    int x = 0;
    Atomic<int*> p = &x;
    CHECK(n.fetch_add(1) == 3);
    CHECK(n.load() == 4);
    CHECK(flag.load());
    CHECK(p.load() == &x);
  });
}
