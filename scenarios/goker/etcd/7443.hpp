// GoKer etcd/7443: the balancer sends on its notify channel while holding
// its lock, and the goroutine that should drain the channel waits for that
// lock.
//
// Upstream: etcd-io/etcd pull request 7443,
// https://github.com/etcd-io/etcd/pull/7443 (GoBench goker/blocking/etcd/7443,
// mixed deadlock, channel & lock).
//
// simpleBalancer.Up() and the down function it returns send on notifyCh
// (capacity 1) with b.mu held. The client's lbWatcher is the only reader of
// notifyCh; when it is itself inside a down function, blocked on that send,
// the balancer's Close() and the address connections' Up() queue behind
// b.mu, and the test's Close goroutine never closes closec.
//
// Verdict: deadlock: main blocked in its receive on closec, the goroutine
// closing the balancer ("TestEtcd7443.func1") blocked [sync.RWMutex.Lock].
//
// Port differences from Go:
// - Go's maps (cc.conns) iterate in random order; the port uses std::map,
//   iterated by address (a fixed order), so the choice of which connection
//   is torn down first is not explored.
// - cc.conns set to nil by Close() is an empty std::optional; lookups in a
//   nil map find nothing, as in Go.
// - The down function's `recover()` from a send on the closed notifyCh is a
//   catch of lockstep::Misuse, after its deferred Unlock (explicit here).
// - Goroutines are named after the Go functions: "lbWatcher",
//   "resetAddrConn.func1", "TestEtcd7443.func1" (closes the balancer),
//   "Close" (closes the client connection).
// - dialOptions and the DialOption functions are a balancer pointer set by
//   dial(): the kernel passes exactly one option.
//
// No fixed twin: the README describes the lock held across the send but not
// the fix, and the kernel keeps nothing of the upstream patch to mirror.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::etcd7443 {

using Address = int;

struct SimpleBalancer {
  std::vector<Address> addrs{0, 1, 2};
  Chan<std::vector<Address>> notify_ch{1};
  RWMutex mu;
  bool closed = false;   // guarded by mu
  Address pin_addr = 0;  // guarded by mu; 0: none

  SimpleBalancer() { notify_ch.send(addrs); }  // fills the one slot

  // up() pins the first address it sees and returns its down function.
  std::function<void()> up(Address addr) {
    mu.lock();
    if (closed) {
      mu.unlock();
      return [] {};
    }
    if (pin_addr == 0) {
      pin_addr = addr;
      notify_ch.send({addr});  // blocks with mu held while the slot is full
    }
    mu.unlock();
    return [this, addr] {
      mu.lock();
      try {
        if (pin_addr == addr) {
          pin_addr = 0;
          notify_ch.send(addrs);  // blocks with mu held; panics once closed
        }
      } catch (const Misuse&) {  // Go: recover() after the deferred Unlock
        mu.unlock();
        return;
      }
      mu.unlock();
    };
  }
  void close() {
    mu.lock();
    if (!closed) {
      closed = true;
      notify_ch.close();
      pin_addr = 0;
    }
    mu.unlock();
  }
};

struct ClientConn;

struct AddrConn {
  Mutex mu;
  ClientConn* cc = nullptr;
  Address addr = 0;
  std::function<void()> down;  // guarded by mu

  void tear_down() {
    mu.lock();
    if (down) {
      down();
      down = nullptr;
    }
    mu.unlock();
  }
  void reset_transport();
};

struct ClientConn : std::enable_shared_from_this<ClientConn> {
  std::shared_ptr<SimpleBalancer> balancer;
  RWMutex mu;
  std::optional<std::map<Address, std::shared_ptr<AddrConn>>> conns{std::in_place};  // guarded by mu

  void lb_watcher() {
    for (const std::vector<Address>& addrs : balancer->notify_ch) {
      std::vector<Address> add;
      std::vector<std::shared_ptr<AddrConn>> del;
      mu.lock();
      for (Address a : addrs)
        if (!conns || !conns->contains(a)) add.push_back(a);
      if (conns) {
        for (auto it = conns->begin(); it != conns->end();) {
          if (std::find(addrs.begin(), addrs.end(), it->first) != addrs.end()) {
            ++it;
          } else {
            del.push_back(it->second);
            it = conns->erase(it);
          }
        }
      }
      mu.unlock();
      for (Address a : add) reset_addr_conn(a);
      for (auto& c : del) c->tear_down();
    }
  }
  void reset_addr_conn(Address addr) {
    auto ac = std::make_shared<AddrConn>();
    ac->cc = this;
    ac->addr = addr;
    mu.lock();
    if (!conns) {
      mu.unlock();
      return;
    }
    (*conns)[addr] = ac;
    mu.unlock();
    go("resetAddrConn.func1", [ac, self = shared_from_this()] { ac->reset_transport(); });
  }
  void close() {
    mu.lock();
    auto closing = std::move(conns);
    conns.reset();
    mu.unlock();
    balancer->close();
    if (closing)
      for (auto& [addr, ac] : *closing) ac->tear_down();
  }
};

inline void AddrConn::reset_transport() {
  mu.lock();
  down = cc->balancer->up(addr);
  mu.unlock();
}

inline std::shared_ptr<ClientConn> dial(std::shared_ptr<SimpleBalancer> b) {
  auto cc = std::make_shared<ClientConn>();
  cc->balancer = std::move(b);
  go("lbWatcher", [cc] { cc->lb_watcher(); });
  return cc;
}

inline void run() {
  auto sb = std::make_shared<SimpleBalancer>();
  auto conn = dial(sb);
  Chan<Empty> closec(0);
  go("TestEtcd7443.func1", [sb, closec] {
    sb->close();
    closec.close();
  });
  go("Close", [conn] { conn->close(); });
  closec.recv();
}

}  // namespace lockstep::scenarios::goker::etcd7443

namespace lockstep::scenarios {

inline Scenario goker_etcd7443() {
  return {"goker/etcd/7443", "etcd#7443: the balancer sends on notifyCh holding the lock its reader needs",
          {sim::Verdict::deadlock, "TestEtcd7443.func1", sim::FiberState::blocked, "sync.RWMutex.Lock",
           "deadlock: all fibers are blocked"},
          "", &goker::etcd7443::run};
}

}  // namespace lockstep::scenarios
