// GoKer grpc/862: DialContext returns a nil connection without closing the
// ClientConn it made, and the goroutine resetting its transport retries for
// ever.
//
// Upstream: grpc/grpc-go pull request 862,
// https://github.com/grpc/grpc-go/pull/862 (GoBench goker/blocking/grpc/862,
// communication deadlock, channel & context).
//
// DialContext() starts resetAddrConn(), whose resetTransport() loops: a
// short backoff timer or the address connection's context. Its deferred
// function closes the connection only if it is non-nil, and it is always
// nil: nobody cancels cc.ctx, so the retry loop never ends.
//
// Verdict: leak on every schedule, "DialContext.func2" blocked [select] on
// its backoff timer and its context, once main has returned (virtual time
// stops with main, so the timer never fires again).
//
// Port differences from Go:
// - context.WithCancel / WithTimeout and time.After are lockstep's, on the
//   virtual clock; time.Since(connectTime) is always 0 (computation takes
//   no virtual time).
// - cc.conns is guarded by a mutex the kernel dropped (grpc's ClientConn
//   has one): in the fixed twin Close() and resetAddrConn() both touch it,
//   and the twin must not race.
// - The named result `conn` is a local pointer, always null, as in the
//   kernel.
// - Goroutines: "DialContext" (the test's `go DialContext(ctx)`),
//   "DialContext.func2" (runs resetAddrConn), "cancel" (`go cancel()`).
//
// Fixed twin (goker/grpc/862_fixed): the deferred function closes cc (the
// kernel's "FIX: cc.Close()"), which cancels the address connection's
// context. It passes on every schedule.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <tuple>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::goker::grpc862 {

using namespace std::chrono_literals;

struct ClientConn;

struct AddrConn {
  ClientConn* cc = nullptr;
  Context ctx;
  std::optional<CancelFunc> cancel;

  void reset_transport() const {
    for (int retries = 1;; ++retries) {
      Duration sleep_time = 2ns * retries;
      Duration timeout = 10ns;
      auto [connect_ctx, connect_cancel] = with_timeout(ctx, timeout);
      TimePoint connect_time = Clock::now();
      connect_cancel();
      bool cancelled = false;
      select(on_recv(after(sleep_time - (Clock::now() - connect_time))),
             on_recv(ctx.done(), [&] { cancelled = true; }));
      if (cancelled) return;
    }
  }
  void tear_down() const { (*cancel)(); }
};

struct ClientConn {
  Context ctx;
  std::optional<CancelFunc> cancel;
  Mutex mu;
  std::vector<std::shared_ptr<AddrConn>> conns;  // guarded by mu

  void close() {
    (*cancel)();
    mu.lock();
    auto closing = std::move(conns);
    conns.clear();
    mu.unlock();
    for (auto& ac : closing) ac->tear_down();
  }
  void reset_addr_conn() {
    auto ac = std::make_shared<AddrConn>();
    ac->cc = this;
    std::tie(ac->ctx, ac->cancel) = with_cancel(ctx);
    mu.lock();
    conns.push_back(ac);
    mu.unlock();
    ac->reset_transport();
  }
};

inline ClientConn* dial_context(const Context& ctx, bool fixed) {
  ClientConn* conn = nullptr;
  auto cc = std::make_shared<ClientConn>();
  std::tie(cc->ctx, cc->cancel) = with_cancel(background());
  go("DialContext.func2", [cc] { cc->reset_addr_conn(); });
  // Go's deferred function:
  select(on_recv(ctx.done(),
                 [&] {
                   if (conn) conn->close();
                   conn = nullptr;
                 }),
         on_default([] {}));
  if (fixed) cc->close();
  return conn;
}

inline void run(bool fixed) {
  auto [ctx, cancel] = with_cancel(background());
  go("DialContext", [ctx, fixed] { dial_context(ctx, fixed); });
  go("cancel", [cancel] { cancel(); });
}

}  // namespace lockstep::scenarios::goker::grpc862

namespace lockstep::scenarios {

inline Scenario goker_grpc862() {
  return {"goker/grpc/862", "grpc#862: DialContext never closes its ClientConn, the retry loop runs for ever",
          {sim::Verdict::leak, "DialContext.func2", sim::FiberState::blocked, "select", "leak: main returned"},
          "goker/grpc/862_fixed", [] { goker::grpc862::run(false); }};
}

inline Scenario goker_grpc862_fixed() {
  return {"goker/grpc/862_fixed", "grpc#862 fixed: DialContext's deferred function closes the ClientConn", {},
          "goker/grpc/862", [] { goker::grpc862::run(true); }};
}

}  // namespace lockstep::scenarios
