// RapidCheck schedules: generate the interleaving as a property input, so a
// failing one shrinks toward FIFO and toward fewer decisions, together with
// the property's other inputs.
//
//   rc::prop("bank: deposits add up", [](const lockstep::testing::Schedule& s,
//                                        const std::vector<int>& amounts) {
//     lockstep::testing::check_schedule(s, [&] { deposit_concurrently(amounts); });
//   });
//
// A Schedule is a list of decisions (sim/strategy.hpp: index 0 is what FIFO
// would do; an index >= n is taken modulo n) plus what to do past its end:
// FIFO if `seed` is 0, else seeded random choices. It drives
// Strategy::replay(decisions, then).
//
// Shrinking. A random tail would keep failing on its own while the shrinker
// drops decisions, so the first shrink of a schedule that ran is the list of
// decisions the run actually took (each < its n, trailing zeros trimmed) with
// a FIFO tail: the same run, with nothing random left. Then decisions are
// dropped (in chunks) and moved toward 0. So a minimal counterexample is the
// fewest departures from FIFO that still fail, as far as dropping and
// zeroing decisions gets (a local minimum: moving a departure to another
// decision is not tried, since it would undo a drop and cycle). Every candidate is just a
// schedule, so the shrinker accepts it only if it fails too. Decisions are
// drawn from [0, width) (4 by default): small values shrink cleanly
// (shared/notes/fibers-and-tooling.md, section 5).
//
// check_schedule() fails the property (RC_FAIL) on any verdict but passed
// (leaks too unless allowed), with the report, its goroutine dump, the number
// of decisions that differ from FIFO, and a replay token of the decisions the
// run actually took (LOCKSTEP_REPLAY='lockstep1:replay:...'), which replays
// it exactly whatever the tail was.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <memory>
#include <ostream>
#include <vector>

#include "exploration/target.hpp"
#include "sim/run.hpp"
#include "testing/failure.hpp"

namespace lockstep::testing {

struct Schedule {
  std::vector<std::uint32_t> decisions;
  std::uint64_t seed = 0;  // past the decisions: 0 = FIFO, else random(seed)
  // What the last run of this schedule took (run_schedule() fills it; copies
  // share it), for the shrinker's first candidate.
  std::shared_ptr<std::vector<std::uint32_t>> taken = std::make_shared<std::vector<std::uint32_t>>();

  sim::Strategy strategy() const {
    return sim::Strategy::replay(decisions, seed == 0 ? sim::Strategy::fifo() : sim::Strategy::random());
  }
};

// showValue() is how RapidCheck prints a counterexample's schedule.
inline void showValue(const Schedule& s, std::ostream& os) {
  os << "decisions [";
  for (std::size_t i = 0; i < s.decisions.size(); ++i) os << (i ? ", " : "") << s.decisions[i];
  os << "], then " << (s.seed == 0 ? std::string{"fifo"} : fmt::format("random(seed={})", s.seed));
}

namespace detail {

// canonical() drops trailing zeros: past its end a FIFO tail takes 0 anyway.
inline std::vector<std::uint32_t> canonical(std::vector<std::uint32_t> d) {
  while (!d.empty() && d.back() == 0) d.pop_back();
  return d;
}

inline rc::Seq<Schedule> shrink_schedule(const Schedule& s) {
  std::vector<Schedule> first;
  if (s.seed != 0 || *s.taken != s.decisions) {
    // The run as it happened, nothing random left; else the same list, FIFO after it.
    std::vector<std::uint32_t> taken = canonical(*s.taken);
    if (!s.taken->empty() && (s.seed != 0 || taken != s.decisions))
      first.push_back(Schedule{std::move(taken), 0});
    else if (s.seed != 0)
      first.push_back(Schedule{s.decisions, 0});
  }
  std::uint64_t seed = s.seed;
  auto with = [seed](std::vector<std::uint32_t> d) { return Schedule{std::move(d), seed}; };
  return rc::seq::concat(
      rc::seq::fromContainer(std::move(first)),
      rc::seq::map(rc::shrink::removeChunks(s.decisions), with),
      rc::seq::map(rc::shrink::eachElement(
                       s.decisions, [](std::uint32_t d) { return rc::shrink::towards<std::uint32_t>(d, 0); }),
                   with));
}

}  // namespace detail

// gen_schedule() generates schedules with decisions in [0, width) and a
// random tail seed, shrinking as described above.
inline rc::Gen<Schedule> gen_schedule(std::uint32_t width = 4) {
  auto parts = rc::gen::pair(
      rc::gen::container<std::vector<std::uint32_t>>(rc::gen::inRange<std::uint32_t>(0, width)),
      rc::gen::arbitrary<std::uint64_t>());
  return rc::Gen<Schedule>([parts](const rc::Random& random, int size) {
    auto [decisions, seed] = parts(random, size).value();
    return rc::shrinkable::shrinkRecur(Schedule{std::move(decisions), seed}, &detail::shrink_schedule);
  });
}

// run_schedule() runs `root` under `schedule` (the other options as given)
// and returns the report, its token rewritten to the decisions it took
// (trailing zeros dropped: FIFO is "d=" with nothing after it). One
// schedule of an exploration target (exploration::run_schedule()), with
// LOCKSTEP_REPLAY standing in for it when set: how a counterexample replays.
inline sim::Report run_schedule(const Schedule& schedule, lockstep::detail::Body root,
                                sim::Options options = {},
                                SourceLocation where = SourceLocation::current()) {
  exploration::Target target;
  target.name = "rapidcheck schedule";
  target.options = std::move(options);
  target.options.replay.clear();
  target.options.record_decisions = true;
  target.ambient_replay = true;
  target.body = [&root] { root(); };  // a move-only Body, run within this call
  target.where = where;
  sim::Report report = exploration::run_schedule(target, schedule.strategy(), schedule.seed, 0);
  *schedule.taken = report.decisions;
  report.replay_token = sim::make_token(sim::Strategy::replay(detail::canonical(report.decisions)), 0);
  return report;
}

// check_schedule() is run_schedule() that fails the property on a failing
// verdict (RC_FAIL), with the report, the dump and the exact replay token.
inline void check_schedule(const Schedule& schedule, lockstep::detail::Body root,
                           sim::Options options = {}, bool allow_leaks = false,
                           SourceLocation where = SourceLocation::current()) {
  sim::Report report = run_schedule(schedule, std::move(root), std::move(options), where);
  if (fails(report, allow_leaks))
    RC_FAIL(fmt::format("{}decisions off FIFO: {} of {}\n", sim::to_string(report),
                        decisions_off_fifo(report), report.decision_count));
}

}  // namespace lockstep::testing

namespace rc {
template <>
struct Arbitrary<lockstep::testing::Schedule> {
  static Gen<lockstep::testing::Schedule> arbitrary() { return lockstep::testing::gen_schedule(); }
};
}  // namespace rc
