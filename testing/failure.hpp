// What counts as a failing simulation in a test, and how to print one so it
// can be replayed: shared by the Catch2 macros (testing/catch.hpp) and the
// RapidCheck glue (testing/rapidcheck.hpp). Needs neither framework.
//
// A run fails on every verdict but passed, leak included unless the test
// opted out (allow_leaks). The failure text is the full report (verdict,
// figures, goroutine dump), the number of decisions that differ from FIFO,
// and the shell command that replays the run:
//
//   LOCKSTEP_REPLAY='lockstep1:random:seed=17' ./build/testing_tests 'queue: drains'
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sim/report.hpp"

namespace lockstep::testing {

// fails() is true for a report a test must not accept.
inline bool fails(const sim::Report& r, bool allow_leaks = false) noexcept {
  return !(r.passed() || (allow_leaks && r.verdict == sim::Verdict::leak));
}

// decisions_off_fifo() counts the run's decisions that FIFO would have taken
// otherwise (non-zero indices): how far from the unperturbed schedule it is.
inline std::size_t decisions_off_fifo(const sim::Report& r) noexcept {
  return static_cast<std::size_t>(
      std::count_if(r.decisions.begin(), r.decisions.end(), [](std::uint32_t d) { return d != 0; }));
}

// shell_quote() wraps `s` in single quotes for a POSIX shell.
inline std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

// replay_command() is the command line that reruns one test with `token`.
// Catch2 reads ',' and a leading '[' in a test name as syntax: they are
// escaped with a backslash, which Catch2 accepts.
inline std::string replay_command(std::string_view token, std::string_view program,
                                  std::string_view test_name) {
  std::string name;
  for (char c : test_name) {
    if (c == ',' || c == '[' || c == '\\') name += '\\';
    name += c;
  }
  return fmt::format("LOCKSTEP_REPLAY={} {} {}", shell_quote(token), program, shell_quote(name));
}

// failure_text() is what a failing test prints: the report, its distance
// from FIFO, and the replay command.
inline std::string failure_text(const sim::Report& r, std::string_view program,
                                std::string_view test_name) {
  return fmt::format("{}decisions off FIFO: {} of {}\nreplay: {}\n", sim::to_string(r),
                     decisions_off_fifo(r), r.decision_count,
                     replay_command(r.replay_token, program, test_name));
}

// env_seed() is LOCKSTEP_SEED as a number, or `fallback` if unset or empty.
inline std::uint64_t env_seed(std::uint64_t fallback) {
  const char* s = std::getenv("LOCKSTEP_SEED");
  return s != nullptr && *s != '\0' ? std::strtoull(s, nullptr, 0) : fallback;
}

}  // namespace lockstep::testing
