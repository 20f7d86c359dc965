// DfsTree and DfsRun: the state of a systematic search (sim/dfs.hpp) and the
// decider that drives one run of it. Internal.
//
// The search is stateless, as in CHESS and loom: it re-runs the program from
// the start, forcing a prefix of decisions taken from the tree, and records
// what each run did. Every decision is generic: n alternatives, 0 the
// default (what FIFO does), so any decision point the simulator gains is
// explored without change here.
//
// What one run records, for dynamic partial-order reduction (Flanagan and
// Godefroid, POPL'05, with sleep sets):
//  - Events. An event is what one fiber does from a scheduling decision (or
//    from taking over without one) to the next: it starts at a pick among
//    fibers, or when another fiber starts touching objects. Its footprint is
//    the objects its operations touched (runtime/footprint.hpp), named by
//    per-run ids given in order of first use, so two runs that share a
//    prefix name that prefix's objects alike.
//  - Happens-before, as vector clocks indexed by fiber id: program order,
//    spawn (the child starts after its parent's event), ready (a woken
//    fiber runs after its waker's event), accesses of one object (reads of
//    it commute with each other only) and moves of virtual time (every event
//    before a time move precedes every event after it).
//  - Races: two events of different fibers that touch one object (not both
//    reading) and are not ordered by happens-before. At the decision before
//    the earlier one, the later one's fiber becomes an alternative to try
//    (all the fibers runnable there if it was not). A race whose reversal
//    would cost more than the bound there is tried at the nearest earlier
//    decision that can afford to run that fiber, or to run the earlier
//    event's fiber sooner for free (a conservative form of Coons et al.,
//    OOPSLA'13, who show that plain DPOR under a bound can miss schedules
//    within it).
//  - Sleep sets: after alternative b of a decision was explored, b's fiber
//    sleeps in the subtrees of the alternatives tried after it, until an
//    event dependent on b's event there runs; a sleeping fiber is not
//    scheduled. A run in which every runnable fiber sleeps is redundant: it
//    runs to its end with default decisions, and is counted.
// The reduction assumes the program shares memory between fibers only
// through lockstep's primitives (including Atomic<T>): plain variables
// shared without them are data races, which it does not see.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/footprint.hpp"
#include "sim/strategy.hpp"

namespace lockstep::sim {

// What a systematic search bounds: preemptions (switching away from a fiber
// that could continue costs 1) or delays (any decision other than the
// default costs 1, a choose(n) too).
enum class Bound { preemptions, delays };

}  // namespace lockstep::sim

namespace lockstep::sim::detail {

struct Touch {
  std::uint32_t object;
  lockstep::detail::Access access;
};
using Footprint = std::vector<Touch>;

// A fiber asleep at a decision, with the event it would run there.
struct Sleeper {
  std::uint64_t fiber;
  Footprint next;
};

// DfsNode: one decision on the current path of the tree.
struct DfsNode {
  std::vector<std::uint64_t> fibers;  // the alternatives' fibers; empty for a choose(n)
  std::uint32_t n = 0;
  bool preemptible = false;   // alternative 0 is the running fiber, which could go on
  bool full = false;          // every affordable alternative is explored (no reduction)
  std::uint32_t chosen = 0;
  unsigned cost_before = 0;   // the bound spent by the decisions above
  std::vector<char> backtrack, done;
  std::vector<Sleeper> sleep;      // asleep on arrival
  std::vector<Footprint> explored; // per alternative: the event it ran (picks)
};

// DfsLimits: what one tree search may do.
struct DfsLimits {
  Bound kind = Bound::delays;
  unsigned bound = 0;
  bool reduce = true;
  std::vector<std::uint32_t> prefix;  // forced first decisions: the subtree below them
  std::size_t split_depth = 0;        // decisions above it are expanded fully (shard units)
};

// DfsTree: the path of decisions across runs, and what its search counted.
class DfsTree {
 public:
  explicit DfsTree(DfsLimits limits) : limits_(std::move(limits)) {}
  const DfsLimits& limits() const noexcept { return limits_; }
  std::vector<DfsNode>& path() noexcept { return path_; }
  unsigned cost(const DfsNode& n, std::size_t alternative) const noexcept;
  bool affordable(const DfsNode& n, std::size_t alternative) const noexcept {
    return n.cost_before + cost(n, alternative) <= limits_.bound;
  }
  // next() moves to the next run's path: false once the tree is explored.
  // With `skip_unit`, the run's shard unit (the subtree below split_depth)
  // is left unexplored and uncounted.
  bool next(bool skip_unit);
  // A new unit starts when the next run diverges above split_depth.
  bool unit_changed() const noexcept { return unit_changed_; }
  std::uint64_t pruned() const noexcept { return pruned_; }

 private:
  DfsLimits limits_;
  std::vector<DfsNode> path_;
  std::uint64_t pruned_ = 0;
  bool unit_changed_ = false;
};

// DfsRun: one run of the search. While it lives it is the thread's dfs
// decider (make_dfs_decider()) and footprint listener; the simulation tells
// it about readies and time moves.
class DfsRun final : public lockstep::detail::FootprintListener {
 public:
  explicit DfsRun(DfsTree& tree);
  ~DfsRun();
  DfsRun(const DfsRun&) = delete;
  DfsRun& operator=(const DfsRun&) = delete;

  // The decider's calls (Decider in strategy.hpp).
  std::int64_t spawned(std::uint64_t child);
  std::size_t pick(const std::int64_t* fibers, std::size_t n);
  std::size_t choose(std::size_t n);
  void readied(std::uint64_t fiber);
  void time_moved();
  void touched(const void* object, lockstep::detail::Access access) override;

  // diverged(): a replayed decision had another number of alternatives (the
  // program is not deterministic); empty if not.
  const std::string& diverged() const noexcept { return diverged_; }

 private:
  struct Event {
    std::uint64_t fiber;
    std::ptrdiff_t node;  // the decision it started at, -1 if none
    std::uint32_t seq;    // its fiber's event count, its own clock entry
  };
  struct Object {
    std::ptrdiff_t last_write = -1;
    std::vector<std::ptrdiff_t> reads;  // since the last write
    std::vector<std::uint32_t> write_clock, all_clock;
  };
  std::vector<std::uint32_t>& clock(std::uint64_t fiber);
  std::uint64_t running() const;
  DfsNode& arrive(std::size_t n, const std::int64_t* fibers);
  void begin_event(std::uint64_t fiber, std::ptrdiff_t node);
  void end_event();
  void race(std::ptrdiff_t earlier, std::uint64_t fiber);
  void add_backtrack(std::size_t node, std::uint64_t fiber, std::uint64_t first);
  void enter_subtree(DfsNode& node);

  DfsTree& tree_;
  std::size_t depth_ = 0;
  unsigned cost_ = 0;
  std::vector<std::vector<std::uint32_t>> clocks_;  // by fiber id
  std::vector<Event> events_;
  std::ptrdiff_t current_ = -1;  // the event running, if any
  Footprint footprint_;          // the current event's
  std::unordered_map<const void*, std::uint32_t> ids_;  // lookup only, never iterated
  std::vector<Object> objects_;
  std::vector<Sleeper> sleep_;
  std::string diverged_;
  DfsRun* outer_;
  lockstep::detail::FootprintListener* outer_listener_;
};

// make_dfs_decider() is Strategy::dfs()'s decider: the installed DfsRun's.
// Misuse if none is (Strategy::dfs() outside explore_dfs()).
std::unique_ptr<Decider> make_dfs_decider();

}  // namespace lockstep::sim::detail
