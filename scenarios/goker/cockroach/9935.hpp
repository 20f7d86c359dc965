// GoKer cockroach#9935: the logger locks its mutex again on the error path.
// https://github.com/cockroachdb/cockroach/pull/9935
//
// outputLogEntry holds l.mu while it creates the log file; when that fails
// (Go: rand.Intn(8)%4 > 0, three times in four) it calls exit, which locks
// l.mu again: the goroutine waits for itself.
//
// Verdict: `leak` (the test returns at once): fiber "outputLogEntry"
// blocked [sync.Mutex.Lock]. FIFO picks outcome 0 (the file is created) and
// passes; random and PCT pick a failing outcome.
// Fixed twin (goker/cockroach/9935_fixed): the fix releases l.mu before
// exit locks it again.
//
// Port differences from Go: math/rand's Intn(8) is choose(8), a decision
// the strategy makes and the replay token records, so the failing draw is
// explored and replayed instead of drawn from an unrecorded generator; the
// error is a bool; `go l.outputLogEntry()` is the fiber "outputLogEntry".
#pragma once

#include <memory>
#include <mutex>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::cockroach9935 {

struct Logging {
  Mutex mu;
  bool fixed = false;

  void output_log_entry() {
    mu.lock();
    if (create_file_failed()) {
      if (fixed) {
        mu.unlock();  // the fix: release before exit locks again
        exit();
        return;
      }
      exit();  // BUG: with mu held
    }
    mu.unlock();
  }
  static bool create_file_failed() { return choose(8) % 4 > 0; }
  void exit() { std::lock_guard g(mu); }
};

inline void run(bool fixed) {
  auto l = std::make_shared<Logging>();
  l->fixed = fixed;
  go("outputLogEntry", [l] { l->output_log_entry(); });
}

inline Scenario scenario() {
  return {"goker/cockroach/9935", "the error path locks the logger's mutex a second time",
          {sim::Verdict::leak, "outputLogEntry", sim::FiberState::blocked, "sync.Mutex.Lock",
           "leak: main returned"},
          "goker/cockroach/9935_fixed", [] { run(false); }};
}

inline Scenario fixed_scenario() {
  return {"goker/cockroach/9935_fixed", "the logger's mutex is released before the error path locks it",
          {}, "goker/cockroach/9935", [] { run(true); }};
}

}  // namespace lockstep::scenarios::cockroach9935
