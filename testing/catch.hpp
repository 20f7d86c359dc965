// Catch2 (v2) test cases whose body runs in a simulation. Not included by
// lockstep.hpp: Catch's header is heavy and only test code wants it.
//
//   LOCKSTEP_TEST_CASE("cache: a miss loads once", "[cache]") {
//     lockstep::Chan<int> loaded(1);
//     lockstep::go([=] { loaded.send(42); });
//     CHECK(loaded.recv() == 42);
//   }
//
//   LOCKSTEP_FUZZ_CASE("cache: loads race", "[cache]", .strategy = lockstep::sim::Strategy::pct(3),
//                      .schedules = 500) { ... }
//
// LOCKSTEP_TEST_CASE(name, tags[, options...]) runs the body once as the main
// fiber of a simulation (FIFO unless the options say otherwise).
// LOCKSTEP_FUZZ_CASE(name, tags[, options...]) runs it under `schedules`
// schedules of `strategy` (the portfolio by default: sim/strategy.hpp), seeds
// base, base+1, ...,
// running every `self_check_every`-th of them twice (Options::self_check).
// An adaptive pct (Strategy::pct(depth)), or the portfolio's pct, learns its step bound from the
// schedules before each one, up to the first 64 (exploration::kAdaptWarmup):
// schedule k is the same schedule however the case is sharded.
// The options after the tags are designated initializers of TestOptions /
// FuzzOptions (or one such value).
//
// Either fails the test, at the macro's line, on any verdict but passed
// (deadlock, leak, livelock, exception, misuse, nondeterminism, liveness), printing the
// report, the goroutine dump and the command that replays the failing run:
//   LOCKSTEP_REPLAY='lockstep1:random:seed=17' ./testing_tests 'cache: loads race'
// Leaks fail unless the case says `.allow_leaks = true`.
//
// HTML reports: with LOCKSTEP_REPORT_DIR set, a failing case also writes its
// failing schedule as one HTML page (sim/html_report.hpp) into that folder,
// named after the test ("cache_loads_race.html"; characters other than
// letters, digits, '.', '-' and '_' become '_'), and the failure text ends with
// "HTML report: <path>". The schedule is run once more, from its replay
// token, with its events recorded; passing runs cost nothing.
//
// Sharding and campaigns: a fuzz case honours GoogleTest's and Bazel's
// sharding environment (TEST_TOTAL_SHARDS, TEST_SHARD_INDEX,
// TEST_SHARD_STATUS_FILE) and LOCKSTEP_SHARD=i/n, running only the schedules
// k with k % n == i, and with LOCKSTEP_CAMPAIGN_DIR writes the JSON lines of
// `lockstep-scenarios fuzz`, which `lockstep-scenarios merge` merges
// (testing/fuzz_campaign.hpp; docs/campaigns.md). Every other test case runs
// whole in every shard: Catch2 v2 does not shard test cases.
//
// Seeds: LOCKSTEP_SEED if set, else Catch's --rng-seed if not 0, else the
// options' sim.seed. With LOCKSTEP_REPLAY set a fuzz case runs that one
// schedule only (self-checked if the case self-checks at all).
//
// The body is a plain function run inside the simulation: its locals are
// the simulation's, and under the self-check it runs twice, so it must not
// carry state from one run to the next. CHECK/REQUIRE work in any of its
// fibers (one OS thread runs them all); a failed REQUIRE ends the run as an
// exception verdict, so the dump and replay command follow it.
#pragma once

#include <catch2/catch.hpp>

#include <cctype>
#include <cerrno>  // program_invocation_name (glibc)
#include <cstdint>
#include <string>

#include "exploration/campaign.hpp"
#include "sim/html_report.hpp"
#include "sim/run.hpp"
#include "testing/failure.hpp"
#include "testing/fuzz_campaign.hpp"

namespace lockstep::testing {

struct TestOptions {
  sim::Options sim = {};
  bool allow_leaks = false;
};

struct FuzzOptions {
  sim::Strategy strategy = sim::Strategy::portfolio();
  std::uint64_t schedules = 100;
  // Run schedule 0, k, 2k, ... twice and compare (0: never).
  std::uint64_t self_check_every = 16;
  bool allow_leaks = false;
  sim::Options sim = {};  // the rest (horizon, livelock budget...); strategy is replaced
};

namespace detail {

inline std::uint64_t test_seed(std::uint64_t fallback) {
  unsigned catch_seed = Catch::rngSeed();
  return env_seed(catch_seed != 0 ? catch_seed : fallback);
}

// program() is the test binary as it was started (argv[0]); Catch's own
// name for it drops the directory, which a replay command needs.
inline std::string program() {
#if defined(__GLIBC__)
  return program_invocation_name;
#else
  return Catch::getCurrentContext().getConfig()->name();
#endif
}

// failure() is empty if `r` is acceptable, else the text to fail with.
inline std::string failure(const sim::Report& r, bool allow_leaks, const std::string& context) {
  if (!fails(r, allow_leaks)) return {};
  return context + failure_text(r, program(), Catch::getResultCapture().getCurrentTestName());
}

// report_file() is the HTML report's path for the current test in `dir`.
inline std::string report_file(const std::string& dir, const std::string& test_name) {
  return fmt::format("{}/{}.html", dir, file_stem(test_name));
}

// with_report() is `text` and, under LOCKSTEP_REPORT_DIR, the line naming
// the HTML report written for the failing run `r` of `body` under `o`.
inline std::string with_report(std::string text, void (*body)(), sim::Options o, const sim::Report& r,
                               SourceLocation where) {
  const char* dir = std::getenv("LOCKSTEP_REPORT_DIR");
  if (text.empty() || dir == nullptr || *dir == '\0') return text;
  std::string name = Catch::getResultCapture().getCurrentTestName();
  std::string path = report_file(dir, name);
  o.replay = r.replay_token;
  sim::RecordedRun run = sim::run_recorded([body] { body(); }, o, where);
  sim::write_html_report(run, {name, replay_command(r.replay_token, program(), name)}, path, where);
  return fmt::format("{}HTML report: {}\n", text, path);
}

inline bool replaying() {
  const char* token = std::getenv("LOCKSTEP_REPLAY");
  return token != nullptr && *token != '\0';
}

}  // namespace detail

// run_test() runs `body` once; returns the failure text, or empty.
// `where` (the macro's line) is where the dump says main was spawned.
inline std::string run_test(void (*body)(), const TestOptions& options,
                            SourceLocation where = SourceLocation::current()) {
  sim::Options o = options.sim;
  o.seed = detail::test_seed(o.seed);
  sim::Report r = sim::run([body] { body(); }, o, where);
  return detail::with_report(detail::failure(r, options.allow_leaks, ""), body, o, r, where);
}

// run_fuzz() runs `body` under options.schedules schedules, stopping at the
// first failure; returns its text, or empty. The schedules are
// exploration's (exploration/campaign.hpp, run_target()); sharded or with
// LOCKSTEP_CAMPAIGN_DIR, the case is one shard of a campaign
// (testing/fuzz_campaign.hpp).
inline std::string run_fuzz(void (*body)(), const FuzzOptions& options,
                            SourceLocation where = SourceLocation::current()) {
  sim::Options o = options.sim;
  o.strategy = options.strategy;
  if (detail::replaying()) {
    o.self_check = options.self_check_every != 0;
    sim::Report r = sim::run([body] { body(); }, o, where);
    return detail::with_report(detail::failure(r, options.allow_leaks, "replayed schedule: "), body, o, r, where);
  }
  std::string name = Catch::getResultCapture().getCurrentTestName();
  exploration::Target t;  // expects passed on every schedule
  t.name = name;
  t.options = options.sim;
  t.allow_leaks = options.allow_leaks;
  t.self_check_every = options.self_check_every;
  t.body = [body] { body(); };
  t.where = where;
  exploration::CampaignConfig c;
  c.explore = exploration::config_of(options.strategy, options.schedules, detail::test_seed(o.seed));
  detail::FuzzPlan plan;
  try {
    plan = detail::fuzz_plan(name, c.explore.strategy, exploration::process_env);
  } catch (const std::invalid_argument& e) {
    return fmt::format("{}\n", e.what());
  }
  c.shard = plan.shard;
  auto text_of = [&](const exploration::Failure& f, const sim::Report& r) {
    sim::Options run = exploration::options_for(t, options.strategy, f.seed, f.schedule);
    std::string context = fmt::format("schedule {} of {} failed{}:\n", f.schedule + 1, options.schedules,
                                      run.self_check ? " (self-checked)" : "");
    return detail::with_report(detail::failure(r, options.allow_leaks, context), body, run, r, where);
  };
  if (plan.campaign()) return detail::fuzz_campaign(t, c, plan, text_of);
  std::string text;
  exploration::run_target(t, c, [&](const exploration::Failure& f, const sim::Report& r) {
    text = text_of(f, r);
    return false;  // the first failure ends the case
  });
  return text;
}

}  // namespace lockstep::testing

#define LOCKSTEP_INTERNAL_CAT2(a, b) a##b
#define LOCKSTEP_INTERNAL_CAT(a, b) LOCKSTEP_INTERNAL_CAT2(a, b)
#define LOCKSTEP_INTERNAL_CASE(fn, runner, options_type, name, tags, ...)           \
  static void fn();                                                                \
  TEST_CASE(name, tags) {                                                          \
    std::string lockstep_failure =                                                 \
        ::lockstep::testing::runner(&fn, ::lockstep::testing::options_type{__VA_ARGS__}); \
    if (!lockstep_failure.empty()) FAIL(lockstep_failure);                        \
  }                                                                                \
  static void fn()

#define LOCKSTEP_TEST_CASE(name, tags, ...)                                                  \
  LOCKSTEP_INTERNAL_CASE(LOCKSTEP_INTERNAL_CAT(lockstep_test_body_, __COUNTER__), run_test, \
                         TestOptions, name, tags, __VA_ARGS__)
#define LOCKSTEP_FUZZ_CASE(name, tags, ...)                                                  \
  LOCKSTEP_INTERNAL_CASE(LOCKSTEP_INTERNAL_CAT(lockstep_fuzz_body_, __COUNTER__), run_fuzz, \
                         FuzzOptions, name, tags, __VA_ARGS__)
