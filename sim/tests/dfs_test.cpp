// Systematic search (sim/dfs.hpp): on programs whose schedules can be
// counted by hand, the exact number of schedules run and pruned at each
// bound, with and without partial-order reduction; the first failing
// schedule of a depth-1 and a depth-2 bug, replayed from its token; shards
// that add up to the whole; and the misuse of Strategy::dfs() outside it.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/tests/support.hpp"

namespace sim = lockstep::sim;
using lockstep::Atomic;

namespace {

using Program = std::function<void()>;

// One call site for every run, so that main's spawn site is the same in the
// search's reports and in their replays.
sim::Report run_program(const Program& program, const sim::Options& o) { return sim::run(program, o); }

sim::DfsResult search(const Program& program, sim::DfsConfig config) {
  return sim::explore_dfs(
      [&](const sim::Strategy& s) {
        sim::Options o;
        o.strategy = s;
        return run_program(program, o);
      },
      config);
}

sim::Report replay(const Program& program, const std::string& token) {
  sim::Options o;
  o.replay = token;
  return run_program(program, o);
}

sim::DfsConfig delays(unsigned bound, bool reduce = true) {
  sim::DfsConfig c;
  c.bound = bound;
  c.reduce = reduce;
  return c;
}

// Per bound: "bound:schedules/pruned".
std::vector<std::string> per_bound(const sim::DfsResult& r) {
  std::vector<std::string> out;
  for (const auto& b : r.bounds) out.push_back(fmt::format("{}:{}/{}", b.bound, b.schedules, b.pruned));
  return out;
}

// Two fibers, each k operations on an Atomic of its own; main waits for both.
Program independent(int k) {
  return [k] {
    Atomic<int> a, b;
    lockstep::go([&] {
      for (int i = 0; i < k; ++i) a.fetch_add(1);
    });
    lockstep::go([&] {
      for (int i = 0; i < k; ++i) b.fetch_add(1);
    });
    sim::wait();
  };
}

// Two fibers that lock and unlock one mutex.
void mutex_race() {
  lockstep::Mutex mu;
  for (int i = 0; i < 2; ++i)
    lockstep::go([&] {
      mu.lock();
      mu.unlock();
    });
  sim::wait();
}

// Depth 1: a lost update, unless one fiber is preempted between its load
// and its store.
void lost_update() {
  Atomic<int> x;
  for (int i = 0; i < 2; ++i)
    lockstep::go([&] {
      int v = x.load();
      x.store(v + 1);
    });
  sim::wait();
  if (x.load() != 2) throw std::runtime_error("lost update");
}

// Depth 2: the reader sees the writer's first store, then its second: the
// reader must run between the writer's stores (delay 1) and the writer
// between the reader's loads (delay 2).
void torn_pair() {
  Atomic<int> x;
  int first = 0, second = 0;
  lockstep::go([&] {
    x.store(1);
    x.store(2);
  });
  lockstep::go([&] {
    first = x.load();
    second = x.load();
  });
  sim::wait();
  if (first == 1 && second == 2) throw std::runtime_error("saw both stores");
}

}  // namespace

TEST_CASE("dfs: two fibers doing independent operations run one schedule at every bound",
          "[dfs][reduction]") {
  for (int k : {1, 3, 10}) {
    sim::DfsResult r = search(independent(k), delays(2));
    INFO("k = " << k);
    REQUIRE(r.complete);
    CHECK(r.bounds.size() == 3);
    for (const auto& b : r.bounds) CHECK(b.schedules == 1);
  }
  // Bound 0 has nothing to prune. The FIFO run's decisions: after each go()
  // (main or the new fibers: 2, then 3 alternatives), at main's wait (2),
  // and at each of the first fiber's k operations while the second is
  // runnable (2 each); at bound 1 each of their 1 + 2 + 1 + k non-default
  // alternatives is affordable and left out, and no others arise.
  CHECK(per_bound(search(independent(3), delays(2))) == std::vector<std::string>{"0:1/0", "1:1/7", "2:1/7"});
  CHECK(search(independent(3), delays(2)).summary() ==
        "explored all 1 schedule up to delay bound 2: passed (7 pruned by partial-order reduction)");
}

TEST_CASE("dfs: without reduction, the bounded tree is searched whole", "[dfs][bound]") {
  sim::DfsResult r = search(independent(3), delays(2, false));
  REQUIRE(r.complete);
  // Bound 1: FIFO, plus one schedule per non-default alternative on the
  // FIFO path (7, as above), each completed by FIFO. Bound 2: the whole
  // tree of at most two deviations.
  CHECK(per_bound(r) == std::vector<std::string>{"0:1/0", "1:8/0", "2:44/0"});
}

TEST_CASE("dfs: two fibers racing on one mutex run each order of their critical sections", "[dfs][reduction]") {
  // Four classes: A's critical section first, whole (FIFO) or with B
  // blocking on the lock inside it (one delay: B before A's unlock); B's
  // first (one delay: B at main's wait), whole or with A blocking inside it
  // (a second delay). Bound 2 runs exactly those four; bound 3 adds none.
  // Bound 1 runs its three classes plus two repeats: the fourth class's
  // reversal, which bound 1 cannot afford where it races, is tried at
  // earlier decisions (the conservative bounded reduction, sim/dfs_run.hpp).
  sim::DfsResult r = search(mutex_race, delays(3));
  REQUIRE(r.complete);
  CHECK(per_bound(r) == std::vector<std::string>{"0:1/0", "1:5/2", "2:4/6", "3:4/6"});
}

TEST_CASE("dfs: a preemption bound counts only switches away from a fiber that could go on", "[dfs][bound]") {
  sim::DfsConfig c;
  c.kind = sim::Bound::preemptions;
  c.bound = 1;
  sim::DfsResult r = search(mutex_race, c);
  REQUIRE(r.complete);
  // Bound 0: who runs at main's wait is free, so both critical sections
  // can go first; the other two classes need one preemption each (the lock
  // holder switched away from before its unlock).
  CHECK(per_bound(r) == std::vector<std::string>{"0:2/0", "1:4/5"});
  CHECK(r.summary() == "explored all 4 schedules up to preemption bound 1: passed (5 pruned by partial-order reduction)");
}

TEST_CASE("dfs: a depth-1 bug is found at delay bound 1, and its token replays it", "[dfs][bug]") {
  sim::DfsResult r = search(lost_update, delays(2));
  REQUIRE(r.failure);
  CHECK(per_bound(r) == std::vector<std::string>{"0:1/0", "1:2/0"});
  // Schedule 1 is bound 0's FIFO run, 2 bound 1's; 3 preempts the first
  // fiber between its load and its store (decision 5: after the two go()
  // calls, main's wait and the first fiber's load).
  CHECK(r.failure_schedule == 2);
  CHECK(r.failure->verdict == sim::Verdict::exception);
  CHECK(r.summary() == "failed on schedule 3 at delay bound 1: exception in fiber 1 \"main\" (spawned at " +
                           std::string(__FILE__) + ":22): lost update");
  CHECK(r.failure->replay_token == "lockstep1:replay:seed=0:then=fifo:d=0x4.1.0x2");
  CHECK(replay(lost_update, r.failure->replay_token).message == r.failure->message);
}

TEST_CASE("dfs: a depth-2 bug is found at delay bound 2, not before", "[dfs][bug]") {
  sim::DfsResult r = search(torn_pair, delays(2));
  REQUIRE(r.failure);
  // Decision 5 switches from the writer (before its second store) to the
  // reader, which loads 1; decision 7 switches back before its second load.
  CHECK(per_bound(r) == std::vector<std::string>{"0:1/0", "1:6/1", "2:3/0"});
  CHECK(r.failure->replay_token == "lockstep1:replay:seed=0:then=fifo:d=0x4.1.0.1");
  CHECK(replay(torn_pair, r.failure->replay_token).message == r.failure->message);
  // Bound 1 alone proves nothing wrong.
  CHECK(search(torn_pair, delays(1)).complete);
}

TEST_CASE("dfs: the shards of a split search add up to the whole", "[dfs][shard]") {
  sim::DfsConfig whole = delays(2);
  whole.split_depth = 2;
  sim::DfsResult all = search(mutex_race, whole);
  REQUIRE(all.complete);
  for (std::uint64_t n : {2, 3, 5}) {
    std::vector<std::uint64_t> per_bound_sum(all.bounds.size(), 0), pruned_sum(all.bounds.size(), 0);
    for (std::uint64_t i = 0; i < n; ++i) {
      sim::DfsConfig c = whole;
      c.shard_index = i;
      c.shard_count = n;
      sim::DfsResult shard = search(mutex_race, c);
      REQUIRE(shard.complete);
      for (std::size_t b = 0; b < shard.bounds.size(); ++b) {
        per_bound_sum[b] += shard.bounds[b].schedules;
        pruned_sum[b] += shard.bounds[b].pruned;
      }
    }
    INFO(n << " shards");
    for (std::size_t b = 0; b < all.bounds.size(); ++b) {
      CHECK(per_bound_sum[b] == all.bounds[b].schedules);
      CHECK(pruned_sum[b] == all.bounds[b].pruned);
    }
  }
}

TEST_CASE("dfs: a prefix confines the search to its subtree", "[dfs][prefix]") {
  sim::DfsConfig c = delays(2, false);
  c.prefix = {0, 1};
  sim::DfsResult r = search(independent(1), c);
  REQUIRE(r.complete);
  // The prefix's second decision (the first fiber instead of main) costs one
  // delay: bounds 0 and 1 run only its FIFO completion; bound 2 adds one
  // schedule per non-default alternative after it (2 at the first fiber's
  // operation, 1 when it exits, 1 at the second fiber's operation).
  CHECK(per_bound(r) == std::vector<std::string>{"0:1/0", "1:1/0", "2:5/0"});
}

TEST_CASE("dfs: Strategy::dfs() outside explore_dfs() is misuse", "[dfs][misuse]") {
  sim::Options o;
  o.strategy = sim::Strategy::dfs();
  CHECK_THROWS_WITH(sim::run([] {}, o),
                    Catch::Contains("Strategy::dfs() runs only under sim::explore_dfs(), which makes its decisions"));
}

TEST_CASE("dfs: a shard index not below the count is misuse", "[dfs][misuse]") {
  sim::DfsConfig c;
  c.shard_index = 2;
  c.shard_count = 2;
  CHECK_THROWS_WITH(search(mutex_race, c),
                    Catch::Contains("explore_dfs: shard 2 of 2: the index must be below the count"));
}

TEST_CASE("dfs: a program that is not deterministic is misuse, naming the decision", "[dfs][misuse]") {
  // Every other run starts a third fiber: the replayed prefix no longer fits.
  int runs = 0;
  Program program = [&runs] {
    int fibers = ++runs % 2 == 0 ? 2 : 3;
    for (int i = 0; i < fibers; ++i) lockstep::go([] { lockstep::yield(); });
    sim::wait();
  };
  CHECK_THROWS_WITH(search(program, delays(1, false)),
                    "lockstep: explore_dfs: the program is not deterministic: decision 3 had 2 alternatives on an "
                    "earlier run and 4 now (in thread 1 \"main\", at " +
                        std::string(__FILE__) + ":25)");
}
