// GoKer grpc/3017: a sub-connection cache's deletion timer returns without
// unlocking the cache's mutex when its deletion was aborted.
//
// Upstream: grpc/grpc-go pull request 3017,
// https://github.com/grpc/grpc-go/pull/3017 (GoBench goker/blocking/grpc/3017,
// resource deadlock, double locking).
//
// RemoveSubConn() caches the sub-connection and arms a 1ns AfterFunc that
// deletes it under ccc.mu; NewSubConn() takes it back out and cancels the
// timer, or, if the timer already fired, sets abortDeleting. The callback
// then locks ccc.mu, sees abortDeleting and returns with ccc.mu held: the
// loop's next RemoveSubConn() blocks for ever, and so does main.
//
// Verdict: deadlock: "main" blocked [chan receive] on done,
// "TestGrpc3017.func1" (the loop) blocked [sync.Mutex.Lock]. FIFO runs the
// callback before the loop resumes, which deletes normally: a schedule must
// resume the loop first.
//
// Port differences from Go:
// - Between RemoveSubConn() and NewSubConn() the loop sleeps 1ns. In Go the
//   real clock moves while the loop runs, so the 1ns timer may fire between
//   the two calls; virtual time moves only when every fiber is blocked, and
//   without the sleep the timer could never fire before NewSubConn()
//   cancels it (the bug could not happen at all).
// - time.AfterFunc is lockstep::after_func on the virtual clock; its
//   goroutine is unnamed, as after_func's are.
// - The maps keyed by Address and SubConn are std::map.
// - Go's collector frees the cycle a cached entry is in (see
//   SubConnCacheEntry); here run() breaks it when it ends, also when a
//   deadlock's teardown unwinds it, so the port leaks nothing.
//
// Fixed twin (goker/grpc/3017_fixed): the callback unlocks before it returns
// on the abort path (the README's missing unlock). It passes on every
// schedule.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::grpc3017 {

using namespace std::chrono_literals;
using Address = int;
using SubConn = int;

// An entry's cancel function holds its timer, whose callback holds the
// entry: a cycle Go's garbage collector frees. Whoever deletes the entry
// sets cancel to null, which breaks it; run() breaks it for the entries
// still cached when it ends (ForgetCacheOnReturn).
struct SubConnCacheEntry {
  SubConn sc = 0;
  std::function<void()> cancel;  // guarded by the cache's mu
  bool abort_deleting = false;  // guarded by the cache's mu
};

struct LbCacheClientConn : std::enable_shared_from_this<LbCacheClientConn> {
  Mutex mu;
  Duration timeout{0};
  std::map<Address, std::shared_ptr<SubConnCacheEntry>> sub_conn_cache;  // guarded by mu
  std::map<SubConn, Address> sub_conn_to_addr;                           // guarded by mu
  bool fixed = false;

  SubConn new_sub_conn(const std::vector<Address>& addrs) {
    if (addrs.size() != 1) return 1;
    Address addr = addrs[0];
    mu.lock();
    if (auto it = sub_conn_cache.find(addr); it != sub_conn_cache.end()) {
      auto entry = it->second;
      entry->cancel();
      entry->cancel = nullptr;  // the entry is deleted: break the cycle
      sub_conn_cache.erase(it);
      mu.unlock();
      return entry->sc;
    }
    SubConn sc_new = 1;
    sub_conn_to_addr[sc_new] = addr;
    mu.unlock();
    return sc_new;
  }

  void remove_sub_conn(SubConn sc) {
    mu.lock();
    auto found = sub_conn_to_addr.find(sc);
    if (found == sub_conn_to_addr.end()) {
      mu.unlock();
      return;
    }
    Address addr = found->second;
    if (auto it = sub_conn_cache.find(addr); it != sub_conn_cache.end()) {
      if (it->second->sc != sc) sub_conn_to_addr.erase(sc);
      mu.unlock();
      return;
    }
    auto entry = std::make_shared<SubConnCacheEntry>();
    entry->sc = sc;
    sub_conn_cache[addr] = entry;
    Timer timer = after_func(timeout, [self = shared_from_this(), entry, sc, addr] {
      self->mu.lock();
      if (entry->abort_deleting) {
        if (self->fixed) self->mu.unlock();
        return;  // the bug: returns with mu held
      }
      self->sub_conn_to_addr.erase(sc);
      self->sub_conn_cache.erase(addr);
      entry->cancel = nullptr;  // the entry is deleted: break the cycle
      self->mu.unlock();
    });
    entry->cancel = [timer, entry = entry.get()] {
      if (!timer.stop()) entry->abort_deleting = true;
    };
    mu.unlock();
  }
};

// ForgetCacheOnReturn drops the cancel functions of the entries still
// cached when run() ends, which breaks their cycles: on the deadlock the
// loop leaves one entry cached, and run() ends by the teardown unwinding it.
struct ForgetCacheOnReturn {
  std::shared_ptr<LbCacheClientConn> ccc;
  ~ForgetCacheOnReturn() {
    for (auto& [addr, entry] : ccc->sub_conn_cache) entry->cancel = nullptr;
  }
};

inline void run(bool fixed) {
  Chan<Empty> done(0);
  auto ccc = std::make_shared<LbCacheClientConn>();
  ForgetCacheOnReturn forget{ccc};
  ccc->timeout = 1ns;
  ccc->fixed = fixed;
  SubConn sc = ccc->new_sub_conn({1});
  go("TestGrpc3017.func1", [ccc, done, sc]() mutable {
    for (int i = 0; i < 1000; ++i) {
      ccc->remove_sub_conn(sc);
      sleep(1ns);  // the loop's own time: see the port differences
      sc = ccc->new_sub_conn({1});
    }
    done.close();
  });
  done.recv();
}

}  // namespace lockstep::scenarios::goker::grpc3017

namespace lockstep::scenarios {

inline Scenario goker_grpc3017() {
  return {"goker/grpc/3017", "grpc#3017: the cache's deletion timer returns holding the mutex when aborted",
          {sim::Verdict::deadlock, "TestGrpc3017.func1", sim::FiberState::blocked, "sync.Mutex.Lock",
           "deadlock: all fibers are blocked"},
          "goker/grpc/3017_fixed", [] { goker::grpc3017::run(false); }};
}

inline Scenario goker_grpc3017_fixed() {
  return {"goker/grpc/3017_fixed", "grpc#3017 fixed: the aborted deletion unlocks before returning", {},
          "goker/grpc/3017", [] { goker::grpc3017::run(true); }};
}

}  // namespace lockstep::scenarios
