// Target: what an exploration explores. A name, what every run must say
// about it (its Expectation), the options its runs take, and a body.
//
//   Target t;
//   t.name = "cache: loads race";            // expects passed: a correct target
//   t.body = [] { cache_loads_race(); };
//   sim::Report r = run_schedule(t, sim::Strategy::random(), 7, 0);
//
// The catalog's scenarios are targets (scenarios/scenario.hpp adds a
// summary and a twin), and so is a LOCKSTEP_FUZZ_CASE (testing/catch.hpp):
// explore(), campaigns, shards, JSON lines and merge (this folder) take
// nothing else.
//
// A correct target expects `passed` on every schedule. A buggy one expects
// its verdict on at least one explored schedule, with a named fiber in the
// dump in a given state and wait reason, and no verdict other than that one
// or `passed` (the bug may hide on some schedules; it must not turn into a
// different failure).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "lockstep.hpp"

namespace lockstep::exploration {

struct Expectation {
  sim::Verdict verdict = sim::Verdict::passed;
  std::string fiber;                              // a fiber of the dump, by name
  sim::FiberState state = sim::FiberState::blocked;
  std::string reason;                             // its wait reason ("" if running)
  std::string message;                            // a part of Report::message

  bool buggy() const noexcept { return verdict != sim::Verdict::passed; }
  // checkable() is false for a data race outside the race-detector build
  // (LOCKSTEP_RACE_DETECTOR): fibers run one at a time, so only that build
  // can see one. Such a target is listed but not explored.
  bool checkable() const noexcept;
  // describe() is short: "leak, fiber \"poller\" blocked [sleep]".
  std::string describe() const;
};

// matches() tells whether `r` is the failure `e` expects (or a pass, for a
// correct target). A race matches when its message names the expected
// fiber as either accessor: which one comes second is the schedule's.
bool matches(const Expectation& e, const sim::Report& r);

struct Target {
  std::string name;  // one line, not empty: JSON lines and reports name it
  Expectation expect;
  // The options of every run (limits such as livelock_steps and horizon,
  // stack size, watchdog...); strategy, seed, replay and self_check are set
  // per schedule (options_for()).
  sim::Options options;
  // A leak counts as passed (LOCKSTEP_FUZZ_CASE's .allow_leaks): tallied as
  // passed, never a failure.
  bool allow_leaks = false;
  // Schedules 0, k, 2k, ... run self-checked (Options::self_check); 0: none.
  std::uint64_t self_check_every = 0;
  // LOCKSTEP_REPLAY, when set, stands in for every schedule (RapidCheck
  // schedules: how a printed counterexample is replayed). Off, a schedule is
  // the one asked for, whatever the environment says.
  bool ambient_replay = false;
  std::function<void()> body;
  // Where a dump says main was spawned (a fuzz case: the macro's line).
  SourceLocation where = SourceLocation::current();
};

// options_for() is what schedule `k` of `t` runs with: the target's options,
// the strategy and seed, the self-check if k is a multiple of
// self_check_every, and (but under dfs, or with ambient_replay) a replay
// token of its own, so that LOCKSTEP_REPLAY never stands in for the
// schedule asked for.
sim::Options options_for(const Target& t, const sim::Strategy& strategy, std::uint64_t seed, std::uint64_t k);

// run_schedule() runs schedule `k` of `t` (options_for()) and returns its report.
sim::Report run_schedule(const Target& t, const sim::Strategy& strategy, std::uint64_t seed, std::uint64_t k);

// tallied() is the verdict a run counts as: its own, but passed for a leak
// the target allows.
sim::Verdict tallied(const Target& t, const sim::Report& r) noexcept;

}  // namespace lockstep::exploration
