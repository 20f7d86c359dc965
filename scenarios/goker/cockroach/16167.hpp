// GoKer cockroach#16167: a read lock taken twice on one call path, with a
// writer arriving in between. https://github.com/cockroachdb/cockroach/pull/16167
//
// execParsed read-locks systemConfigMu (through systemConfigCond.L, the
// same lock) and, deep in its call chain, getDatabaseCache read-locks it
// again. If updateSystemConfig's Lock() comes between the two, the writer
// waits for the first reader and the second read lock waits for the writer.
//
// Verdict: `deadlock` (main is the reader): fiber "main" blocked
// [sync.RWMutex.RLock], "Start" blocked [sync.RWMutex.Lock]. FIFO never
// switches between the two read locks and passes.
// Fixed twin (goker/cockroach/16167_fixed): execParsed releases its read
// lock before running the transaction, so no path holds it twice (the fix
// removes the nested acquisition).
//
// Port differences from Go: lockstep's Cond takes a Mutex, not a Locker
// such as RWMutex.RLocker(); the kernel uses systemConfigCond only for its
// L, so the port calls systemConfigMu.rlock()/runlock() where Go calls
// systemConfigCond.L.Lock()/Unlock(). The call chain (execParsed ->
// runTxnAttempt -> ... -> getDatabaseCache) is kept.
#pragma once

#include <memory>
#include <mutex>
#include <shared_mutex>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::cockroach16167 {

struct Executor;
struct Session {
  void reset_for_batch(Executor& e);
};

struct Executor {
  RWMutex system_config_mu;

  void start() { update_system_config(); }
  void exec_parsed(Session& session, bool fixed) {
    system_config_mu.rlock();  // systemConfigCond.L.Lock()
    if (fixed) system_config_mu.runlock();
    run_txn_attempt(session);
    if (!fixed) system_config_mu.runlock();
  }
  void run_txn_attempt(Session& session) { exec_stmts_in_current_txn(session); }
  void exec_stmts_in_current_txn(Session& session) { exec_stmt_in_open_txn(session); }
  void exec_stmt_in_open_txn(Session& session) { prepare(session); }  // PreparedStatements.New
  void prepare(Session& session) { session.reset_for_batch(*this); }
  void get_database_cache() {
    std::shared_lock g(system_config_mu);  // BUG: the second read lock on this path
  }
  void update_system_config() { std::lock_guard g(system_config_mu); }
};

inline void Session::reset_for_batch(Executor& e) { e.get_database_cache(); }

inline void run(bool fixed) {
  auto e = std::make_shared<Executor>();
  Session s;
  go("Start", [e] { e->start(); });
  e->exec_parsed(s, fixed);
}

inline Scenario scenario() {
  return {"goker/cockroach/16167", "a read lock taken twice on one path deadlocks with a writer arriving in between",
          {sim::Verdict::deadlock, "main", sim::FiberState::blocked, "sync.RWMutex.RLock",
           "deadlock: all fibers are blocked"},
          "goker/cockroach/16167_fixed", [] { run(false); }};
}

inline Scenario fixed_scenario() {
  return {"goker/cockroach/16167_fixed", "the first read lock is released before the nested one is taken",
          {}, "goker/cockroach/16167", [] { run(true); }};
}

}  // namespace lockstep::scenarios::cockroach16167
