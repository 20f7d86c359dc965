// explore_dfs(): systematic bounded search of a program's schedules, with
// dynamic partial-order reduction: CHESS's and loom's answer to "does every
// interleaving up to bound b pass?", where the other strategies only sample.
//
//   sim::DfsConfig c;                 // delay bound 2, reduced
//   auto result = sim::explore_dfs(
//       [&](const sim::Strategy& s) {
//         sim::Options o;
//         o.strategy = s;
//         return sim::run(program, o);
//       },
//       c);
//   result.summary();  // two fibers locking one mutex: "explored all 4
//                      // schedules up to delay bound 2: passed (6 pruned
//                      // by partial-order reduction)"
//
// The search re-runs the program (`run_one`, which must run it with the
// strategy it is given) once per schedule, depth-first over the tree of
// decisions: which fiber runs at each scheduling point, each choose(n) (a
// select's ready case, ...), every decision the simulator asks for. Bounds
// are searched iteratively, 0, 1, ... up to `bound`, each tree whole, so a
// shallow bug is found before any deeper schedule runs:
//   - delays: any decision other than the default (0, what FIFO does) costs
//     1; bound b explores every schedule that deviates from FIFO at most b
//     times (Emmi et al., POPL'11);
//   - preemptions: switching away from a running fiber that could go on
//     costs 1; choosing among fibers when the running one parks, yields or
//     exits, and any choose(n), is free (Musuvathi and Qadeer, PLDI'07).
// Partial-order reduction (sim/dfs_run.hpp) runs one schedule per class of
// schedules that differ only in the order of independent operations
// (operations on different objects; reads of one Atomic); `pruned` counts
// the alternatives it left out, each standing for at least one schedule.
//
// The search stops at the first failing schedule: its report is the
// simulation's own, with a replay token (lockstep1:replay:...) that replays
// it exactly. Same program, same config: same schedules, same order.
//
// Splitting: `prefix` confines the search to the subtree below those
// decisions (resuming there); with `split_depth` d, the decisions above depth
// d are expanded fully, without reduction, and each path to depth d is a
// unit; shard i of n explores the units u with u % n == i. Units are
// independent (no reduction crosses them), so the shards' schedules add up
// to the unsharded search's with the same split depth. A shard still runs
// each unit it does not own once, to find the next one; those runs are not
// counted, and their failures are left to their owner.
//
// The program must be deterministic given its decisions (a decision that
// changes its number of alternatives between runs is misuse, named), and
// must share memory between fibers only through lockstep's primitives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/dfs_run.hpp"
#include "sim/report.hpp"
#include "sim/strategy.hpp"

namespace lockstep::sim {

struct DfsConfig {
  Bound kind = Bound::delays;
  unsigned bound = 2;  // searched 0, 1, ..., bound
  bool reduce = true;  // partial-order reduction
  // The search stops, incomplete, after this many schedules (all bounds).
  std::uint64_t max_schedules = 1'000'000;
  std::vector<std::uint32_t> prefix;
  std::size_t split_depth = 0;
  std::uint64_t shard_index = 0, shard_count = 1;
};

struct DfsBoundStats {
  unsigned bound = 0;
  std::uint64_t schedules = 0;  // run at this bound (a tree holds the lower bounds' too)
  std::uint64_t pruned = 0;     // alternatives the reduction left out
};

struct DfsResult {
  DfsConfig config;
  std::vector<DfsBoundStats> bounds;  // one per bound searched, in order
  std::uint64_t schedules = 0;        // every schedule run, all bounds
  std::optional<Report> failure;      // the first failing schedule
  std::uint64_t failure_schedule = 0; // its index among `schedules`, from 0
  bool complete = false;              // every tree explored: no failure, no cap
  // summary() is one line: "explored all N schedules up to delay bound b:
  // passed (M pruned by partial-order reduction)", "failed on schedule k at
  // delay bound b: <message>", or "stopped after N schedules at delay bound
  // b (max_schedules): no failure so far".
  std::string summary() const;
};

// to_string(Bound): "delay" or "preemption".
std::string to_string(Bound b);

using DfsRunOne = std::function<Report(const Strategy&)>;
// DfsProgress: schedules run so far, called after each.
using DfsProgress = std::function<void(std::uint64_t)>;

// explore_dfs() runs the search. Misuse for a shard index not below the
// shard count, or a program that is not deterministic.
DfsResult explore_dfs(const DfsRunOne& run_one, const DfsConfig& config, const DfsProgress& progress = {},
                      SourceLocation where = SourceLocation::current());

}  // namespace lockstep::sim
