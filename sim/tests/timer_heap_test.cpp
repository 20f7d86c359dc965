// TimerHeap (runtime/timer_heap.hpp), the simulation's timers: pops come out
// in exactly (when, add order), whatever was removed on the way, and the
// bookkeeping behind the O(1) remove (dead entries dropped at the top, all at
// once when they outnumber the live ones, the add order renumbered when it
// runs out) never changes that order. Each test compares every pop against a
// reference: the expected order written out, or a std::set of (when, add
// index) kept beside the heap.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "runtime/timer_heap.hpp"

using lockstep::Duration;
using lockstep::kSimulationEpoch;
using lockstep::detail::TimerHeap;
using lockstep::detail::TimerNode;

namespace {

void set_when(TimerNode& n, std::int64_t ns) { n.when = kSimulationEpoch + Duration{ns}; }

std::int64_t when_of(const TimerNode& n) { return (n.when - kSimulationEpoch).count(); }

// drive() runs `ops` random operations (push a node that is not pending,
// due within `spread` ns of the last pop, as timers are; remove a random
// node; pop) on `heap`, checking each pop, size() and earliest() against a
// reference set; then pops the rest.
void drive(TimerHeap& heap, std::vector<TimerNode>& nodes, std::uint64_t seed, int ops, std::int64_t spread) {
  std::mt19937_64 rng(seed);
  std::set<std::pair<std::int64_t, std::uint64_t>> expected;  // (when, add index)
  std::vector<std::uint64_t> added(nodes.size());
  std::uint64_t adds = 0;
  std::int64_t now = 0;  // the last pop's deadline
  auto index_of = [&](const TimerNode& n) { return static_cast<std::size_t>(&n - nodes.data()); };
  auto check_pop = [&] {
    TimerNode& n = heap.pop();
    REQUIRE(!expected.empty());
    REQUIRE(std::pair{when_of(n), added[index_of(n)]} == *expected.begin());
    expected.erase(expected.begin());
    now = when_of(n);
    REQUIRE(!n.pending());
  };
  for (int op = 0; op < ops; ++op) {
    TimerNode& n = nodes[rng() % nodes.size()];
    switch (rng() % 4) {
      case 0:
      case 1:
        if (n.pending()) break;
        set_when(n, now + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(spread)));
        added[index_of(n)] = adds++;
        expected.emplace(when_of(n), added[index_of(n)]);
        heap.push(n);
        break;
      case 2:
        REQUIRE(heap.remove(n) == (expected.erase({when_of(n), added[index_of(n)]}) == 1));
        break;
      default:
        if (!heap.empty()) check_pop();
    }
    REQUIRE(heap.size() == expected.size());
    if (!expected.empty()) REQUIRE((heap.earliest() - kSimulationEpoch).count() == expected.begin()->first);
  }
  while (!heap.empty()) check_pop();
  REQUIRE(expected.empty());
}

}  // namespace

TEST_CASE("timer heap: equal deadlines pop in add order, push says whether it is the new earliest",
          "[timer_heap]") {
  TimerHeap heap;
  std::vector<TimerNode> n(6);
  const std::int64_t whens[] = {5, 3, 5, 3, 1, 5};
  const bool earliest[] = {true, true, false, false, true, false};
  for (int i = 0; i < 6; ++i) {
    set_when(n[i], whens[i]);
    CHECK(heap.push(n[i]) == earliest[i]);
    CHECK(n[i].pending());
  }
  std::vector<int> order;
  while (!heap.empty()) order.push_back(static_cast<int>(&heap.pop() - n.data()));
  CHECK(order == std::vector<int>{4, 1, 3, 0, 2, 5});
}

TEST_CASE("timer heap: a removed timer never pops, and a removed top leaves the next earliest on top",
          "[timer_heap]") {
  TimerHeap heap;
  std::vector<TimerNode> n(4);
  for (int i = 0; i < 4; ++i) {
    set_when(n[i], 10 * (i + 1));
    heap.push(n[i]);
  }
  CHECK(heap.remove(n[0]));
  CHECK(!heap.remove(n[0]));  // no longer pending
  CHECK(heap.remove(n[2]));
  CHECK(heap.size() == 2);
  CHECK((heap.earliest() - kSimulationEpoch).count() == 20);
  set_when(n[0], 25);  // re-added after its removal: a new add, after n[1]'s
  heap.push(n[0]);
  CHECK(&heap.pop() == &n[1]);
  CHECK(&heap.pop() == &n[0]);
  CHECK(&heap.pop() == &n[3]);
  CHECK(heap.empty());
}

TEST_CASE("timer heap: removing the head, a middle timer or the last leaves the others in order",
          "[timer_heap]") {
  // Deadlines 10, 20, ..., 70 added in that order, plus a second 40 added
  // last (index 7), so a removal between equal deadlines is covered too.
  struct Case {
    std::vector<int> removed;
    std::vector<int> popped;
  };
  const Case cases[] = {
      {{0}, {1, 2, 3, 7, 4, 5, 6}},     // the head
      {{3}, {0, 1, 2, 7, 4, 5, 6}},     // a middle one, before its equal
      {{7}, {0, 1, 2, 3, 4, 5, 6}},     // the last added, equal to a middle one
      {{6}, {0, 1, 2, 3, 7, 4, 5}},     // the latest deadline
      {{0, 1, 6, 3}, {2, 7, 4, 5}},     // several, head first
      {{0, 1, 2, 3, 4, 5, 6, 7}, {}},   // all of them
  };
  for (const Case& c : cases) {
    TimerHeap heap;
    std::vector<TimerNode> n(8);
    for (int i = 0; i < 7; ++i) set_when(n[i], 10 * (i + 1));
    set_when(n[7], 40);
    for (TimerNode& node : n) heap.push(node);
    for (int i : c.removed) {
      CHECK(heap.remove(n[i]));
      CHECK(!n[i].pending());
    }
    CHECK(heap.size() == c.popped.size());
    std::vector<int> order;
    while (!heap.empty()) order.push_back(static_cast<int>(&heap.pop() - n.data()));
    CHECK(order == c.popped);
  }
}

TEST_CASE("timer heap: a timer added already overdue pops next, after the overdue ones added before it",
          "[timer_heap]") {
  // Only real time does this (a simulation fires an overdue timer at once):
  // the heap counts it as due at the last pop's deadline.
  TimerHeap heap;
  std::vector<TimerNode> n(4);
  set_when(n[0], 100);
  set_when(n[1], 200);
  heap.push(n[0]);
  heap.push(n[1]);
  CHECK(&heap.pop() == &n[0]);
  set_when(n[2], 50);
  set_when(n[3], 70);
  CHECK(heap.push(n[2]));
  CHECK(!heap.push(n[3]));
  CHECK((heap.earliest() - kSimulationEpoch).count() == 100);
  CHECK(&heap.pop() == &n[2]);
  CHECK(&heap.pop() == &n[3]);
  CHECK(&heap.pop() == &n[1]);
}

TEST_CASE("timer heap: random pushes, removes and pops come out in (when, add order)", "[timer_heap]") {
  std::vector<TimerNode> nodes(300);
  for (std::uint64_t seed : {1, 2, 3}) {
    TimerHeap heap;
    drive(heap, nodes, seed, 20000, 50);  // few distinct deadlines: many ties
  }
  for (std::uint64_t seed : {4, 5}) {
    TimerHeap heap;
    drive(heap, nodes, seed, 20000, std::int64_t{1} << 40);  // deadlines differing in every byte
  }
}

TEST_CASE("timer heap: 20,000 pending, pushed and removed between pops, come out in (when, add order)",
          "[timer_heap]") {
  // Enough pending that pops prefetch the nodes ahead (from 16,384 entries),
  // buckets far larger than the prefetch window, pushes landing below the
  // frontier and removals on both sides of it: what the heap fetched ahead
  // never changes what pops. drive() keeps about a third of the nodes
  // pending.
  std::vector<TimerNode> nodes(60000);
  TimerHeap spread;
  drive(spread, nodes, 11, 200000, std::int64_t{1} << 30);
  TimerHeap ties;
  drive(ties, nodes, 13, 200000, 8);  // 8 deadlines at a time: thousands of ties each
}

TEST_CASE("timer heap: the add order renumbered when it runs out keeps the order", "[timer_heap]") {
  // An order limit of 400 renumbers every few hundred pushes (the default,
  // 2^32 - 1, every four billion).
  std::vector<TimerNode> nodes(100);
  TimerHeap heap(400);
  drive(heap, nodes, 7, 20000, 20);
}
