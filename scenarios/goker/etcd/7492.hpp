// GoKer etcd/7492: the simple-token keeper's loop calls back into the token
// store's lock while a token assignment, holding that lock, waits for the
// loop to take its token.
//
// Upstream: etcd-io/etcd pull request 7492,
// https://github.com/etcd-io/etcd/pull/7492 (GoBench goker/blocking/etcd/7492,
// mixed deadlock, channel & lock).
//
// assignSimpleTokenToUser() holds simpleTokensMu while it sends on the
// keeper's addSimpleTokenCh (capacity 1). The keeper's run() loop, on a tick
// of its 1ns ticker, deletes expired tokens through deleteTokenFunc, which
// takes simpleTokensMu. With the channel full and the loop in
// deleteTokenFunc, the assigner and the loop wait for each other; the
// test's wg.Wait() never returns.
//
// Verdict: livelock (horizon), not deadlock: the keeper's ticker is stopped
// only when run() returns, so it keeps firing while every fiber is blocked,
// and virtual time runs to the 1us horizon: "main" blocked
// [sync.WaitGroup.Wait], "run" blocked [sync.RWMutex.Lock] in
// deleteTokenFunc. (Go's runtime does not report this as a deadlock either:
// a live ticker keeps the test hanging.)
//
// Port differences from Go:
// - A token assignment takes 1ns of virtual time (a `sleep` with
//   simpleTokensMu held, before the send). In Go real time passes while
//   goroutines compute, so the 1ns ticker fires between any two statements;
//   virtual time moves only when every fiber is blocked, and without this
//   sleep no tick could ever reach the loop while a token is pending, so the
//   bug could not happen at all.
// - The TokenProvider and authStore interfaces are direct calls; the token
//   map holds the one key "1", as in the kernel.
// - Goroutines are named "run" (the keeper loop) and "TestEtcd7492.func1"
//   (the three authenticating goroutines).
// - The horizon is 1us (the default is 24h) so that the livelock verdict
//   costs about a thousand ticks.
//
// Fixed twin (goker/etcd/7492_fixed): the keeper has no token channel: it
// shares simpleTokensMu, the assigner adds its token to the map directly
// under that lock, and the loop takes the lock on a tick and deletes the
// expired tokens through a deleteTokenFunc that no longer locks (the shape
// of etcd's later simpleTokenTTLKeeper). It passes on every schedule.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::etcd7492 {

using namespace std::chrono_literals;

struct SimpleTokenTtlKeeper {
  std::map<std::string, TimePoint> tokens;  // owned by run()
  Chan<Empty> add_simple_token_ch{1};
  Chan<Chan<Empty>> stop_ch{0};
  std::function<void(const std::string&)> delete_token_func;
  RWMutex* shared_mu = nullptr;  // fixed: the token store's lock, held by run() on a tick

  void run() {
    Ticker token_ticker(1ns);
    for (bool running = true; running;) {
      select(on_recv(add_simple_token_ch, [&] { tokens["1"] = Clock::now(); }),
             on_recv(token_ticker.chan(), [&] { delete_expired(); }),
             on_recv(stop_ch, [&](const std::optional<Chan<Empty>>& wait_ch) {
               wait_ch->send(Empty{});
               running = false;
             }));
    }
    token_ticker.stop();
  }
  void delete_expired() {
    if (shared_mu) shared_mu->lock();
    for (auto it = tokens.begin(); it != tokens.end(); it = tokens.erase(it)) delete_token_func(it->first);
    if (shared_mu) shared_mu->unlock();
  }
  void add_simple_token() {
    if (shared_mu)
      tokens["1"] = Clock::now();  // fixed: under the shared lock, no channel
    else
      add_simple_token_ch.send(Empty{});
  }
  void stop() {
    Chan<Empty> wait_ch(0);
    stop_ch.send(wait_ch);
    wait_ch.recv();
    stop_ch.close();
  }
};

struct TokenSimple {
  std::shared_ptr<SimpleTokenTtlKeeper> simple_token_keeper;
  RWMutex simple_tokens_mu;

  void assign() {
    simple_tokens_mu.lock();
    sleep(1ns);  // the assignment's work: see the port differences
    simple_token_keeper->add_simple_token();
    simple_tokens_mu.unlock();
  }
  void enable(bool fixed) {
    auto keeper = std::make_shared<SimpleTokenTtlKeeper>();
    if (fixed) {
      keeper->shared_mu = &simple_tokens_mu;
      keeper->delete_token_func = [](const std::string&) {};  // the caller holds the lock
    } else {
      keeper->delete_token_func = [this](const std::string&) {
        simple_tokens_mu.lock();  // blocks while an assigner holds it
        simple_tokens_mu.unlock();
      };
    }
    simple_token_keeper = keeper;
    go("run", [keeper] { keeper->run(); });
  }
  void disable() {
    if (simple_token_keeper) {
      simple_token_keeper->stop();
      simple_token_keeper = nullptr;
    }
    simple_tokens_mu.lock();
    simple_tokens_mu.unlock();
  }
};

inline void run(bool fixed) {
  auto as = std::make_shared<TokenSimple>();
  as->enable(fixed);
  WaitGroup wg;
  wg.add(3);
  for (int i = 0; i < 3; ++i) {
    go("TestEtcd7492.func1", [as, &wg] {
      as->assign();
      wg.done();
    });
  }
  wg.wait();
  as->disable();  // Go's deferred tearDown
}

}  // namespace lockstep::scenarios::goker::etcd7492

namespace lockstep::scenarios {

inline Scenario goker_etcd7492() {
  return {.name = "goker/etcd/7492",
          .summary = "etcd#7492: the keeper loop locks the token store while an assigner waits for it",
          .expect = {sim::Verdict::livelock, "run", sim::FiberState::blocked, "sync.RWMutex.Lock",
                     "livelock: virtual time would pass the horizon of 1us"},
          .twin = "goker/etcd/7492_fixed",
          .body = [] { goker::etcd7492::run(false); },
          .horizon = std::chrono::microseconds(1)};
}

inline Scenario goker_etcd7492_fixed() {
  return {.name = "goker/etcd/7492_fixed",
          .summary = "etcd#7492 fixed: the keeper shares the store's lock, no channel",
          .twin = "goker/etcd/7492",
          .body = [] { goker::etcd7492::run(true); },
          .horizon = std::chrono::microseconds(1)};
}

}  // namespace lockstep::scenarios
