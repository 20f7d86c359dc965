#include "sim/dfs.hpp"

#include <fmt/format.h>

#include "runtime/misuse.hpp"

namespace lockstep::sim {

using lockstep::detail::fail_misuse;

std::string to_string(Bound b) { return b == Bound::delays ? "delay" : "preemption"; }

std::string DfsResult::summary() const {
  std::string bound = fmt::format("{} bound {}", to_string(config.kind), bounds.empty() ? 0 : bounds.back().bound);
  if (failure)
    return fmt::format("failed on schedule {} at {}: {}", failure_schedule + 1, bound, failure->message);
  if (!complete)
    return fmt::format("stopped after {} schedules at {} (max_schedules): no failure so far", schedules, bound);
  const DfsBoundStats& last = bounds.back();
  return fmt::format("explored all {} schedule{} up to {}: passed ({} pruned by partial-order reduction)",
                     last.schedules, last.schedules == 1 ? "" : "s", bound, last.pruned);
}

namespace {

// A failing schedule's report names the decisions that replay it, not the
// search that found it.
void as_replay(Report& r) {
  r.strategy = Strategy::replay(r.decisions);
  r.replay_token = make_token(r.strategy, 0);
}

}  // namespace

DfsResult explore_dfs(const DfsRunOne& run_one, const DfsConfig& config, const DfsProgress& progress,
                      SourceLocation where) {
  if (config.shard_count == 0 || config.shard_index >= config.shard_count)
    fail_misuse(fmt::format("explore_dfs: shard {} of {}: the index must be below the count", config.shard_index,
                            config.shard_count),
                nullptr, where);
  DfsResult result;
  result.config = config;
  for (unsigned b = 0; b <= config.bound; ++b) {
    detail::DfsTree tree({config.kind, b, config.reduce, config.prefix, config.split_depth});
    DfsBoundStats stats{b, 0, 0};
    std::uint64_t unit = 0;
    for (bool more = true, first = true; more; first = false) {
      if (!first && tree.unit_changed()) ++unit;
      bool owned = unit % config.shard_count == config.shard_index;
      Report r;
      std::string diverged;
      {
        detail::DfsRun run(tree);
        r = run_one(Strategy::dfs());
        diverged = run.diverged();
      }
      if (!diverged.empty())
        fail_misuse(fmt::format("explore_dfs: the program is not deterministic: {}", diverged), nullptr, where);
      if (owned) {
        ++stats.schedules;
        ++result.schedules;
        if (progress) progress(result.schedules);
        if (!r.passed()) {
          as_replay(r);
          result.failure = std::move(r);
          result.failure_schedule = result.schedules - 1;
          result.bounds.push_back(stats);
          return result;
        }
      }
      more = tree.next(!owned);
      if (more && result.schedules >= config.max_schedules) {
        stats.pruned = tree.pruned();
        result.bounds.push_back(stats);
        return result;
      }
    }
    stats.pruned = tree.pruned();
    result.bounds.push_back(stats);
  }
  result.complete = true;
  return result;
}

}  // namespace lockstep::sim
