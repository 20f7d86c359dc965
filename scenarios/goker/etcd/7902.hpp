// GoKer etcd/7902: an election round's leader needs the mutex a follower
// holds while the follower waits for the leader's signal.
//
// Upstream: etcd-io/etcd pull request 7902,
// https://github.com/coreos/etcd/pull/7902 (GoBench goker/blocking/etcd/7902,
// mixed deadlock, channel & lock).
//
// Three round clients run doRounds(): validate under mu, then release under
// mu. A follower's release waits on nextc, which only the leader's release
// closes; if a follower is in release (holding mu) first, the leader blocks
// on mu.Lock() and nobody closes nextc. The test only starts
// runElectionFunc and returns.
//
// Verdict: leak once main has returned: "runElectionFunc" blocked
// [sync.WaitGroup.Wait], the round clients ("doRounds.func1") blocked on mu
// or on nextc.
//
// Port differences from Go:
// - The closures sharing `nextc` and each client's `rcNextc` are methods of
//   a RoundClient over a shared Election holding nextc.
// - Goroutines are named "runElectionFunc" and "doRounds.func1", as Go's
//   traceback names them.
//
// No fixed twin: the README's fix (release() without mu) does not fix the
// kernel. Tried: without mu, a follower that validates after the leader's
// last release waits on a nextc nobody will close (the kernel's 100 rounds
// have no end-of-election signal); on the FIFO schedule both followers end
// blocked [chan receive] on the leader's last nextc (a leak), and so do all
// of the first 1000 random schedules. There is nothing correct to assert.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::etcd7902 {

struct Election {
  Chan<bool> nextc{0};  // guarded by the rounds' mu
};

struct RoundClient {
  Election* election = nullptr;
  int index = 0;  // 0 is the leader
  int progress = 0;
  Chan<bool> rc_nextc;  // nil until validate()

  void acquire() {}
  void validate() { rc_nextc = election->nextc; }
  void release() {
    if (index == 0) {
      election->nextc.close();
      election->nextc = Chan<bool>(0);
    }
    rc_nextc.recv();  // followers wait here for the leader's close
  }
};

inline void do_rounds(std::vector<RoundClient>& rcs, int rounds) {
  Mutex mu;
  WaitGroup wg;
  wg.add(static_cast<int>(rcs.size()));
  for (auto& rc : rcs) {
    go("doRounds.func1", [&rc, &mu, &wg, rounds] {
      while (rc.progress < rounds || rounds <= 0) {
        rc.acquire();
        mu.lock();
        rc.validate();
        mu.unlock();
        rc.progress++;
        mu.lock();  // the leader blocks here while a follower waits in release()
        rc.release();
        mu.unlock();
      }
      wg.done();
    });
  }
  wg.wait();
}

inline void run_election_func() {
  Election election;
  std::vector<RoundClient> rcs(3);
  for (int i = 0; i < 3; ++i) {
    rcs[i].election = &election;
    rcs[i].index = i;
  }
  do_rounds(rcs, 100);
}

inline void run() { go("runElectionFunc", [] { run_election_func(); }); }

}  // namespace lockstep::scenarios::goker::etcd7902

namespace lockstep::scenarios {

inline Scenario goker_etcd7902() {
  return {"goker/etcd/7902", "etcd#7902: the leader waits for the mutex a follower holds while waiting for it",
          {sim::Verdict::leak, "runElectionFunc", sim::FiberState::blocked, "sync.WaitGroup.Wait",
           "leak: main returned"},
          "", &goker::etcd7902::run};
}

}  // namespace lockstep::scenarios
