// select: wait on several channel operations, run the one that happens.
//
//   lockstep::select(
//       lockstep::on_recv(decisions, [&](std::optional<Decision> d) { ... }),
//       lockstep::on_recv(ctx.done(), [&] { ... }),          // value ignored
//       lockstep::on_send(out, item, [&] { ... }),
//       lockstep::on_default([&] { ... }));                  // optional
//
// As Go's select: if some cases can proceed, one of them runs, chosen through
// the runtime's choose() (so a simulation's strategy explores each and replay
// reproduces the choice); otherwise the default case runs if there is one;
// otherwise select blocks until a case can proceed. Cases on nil channels
// never proceed. A receive case's callback gets std::optional<T> (nullopt:
// the channel is closed) or nothing. A send case on a closed channel is
// misuse, as in Go. select returns the index of the case that ran.
//
// Blocks as "select" on the cases' channels, or "select (no cases)" when
// there are no cases, or every case is nil and there is no default (forever). The site shown in a
// dump is where the first case was written.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "primitives/chan.hpp"

namespace lockstep {

namespace detail {

// CaseRef: one case, type-erased for the select loop. Channel functions run
// with the channel's lock held, except complete() and run().
struct CaseRef {
  void* self = nullptr;
  Waitable* chan = nullptr;  // null for a nil channel and for default
  ObjectLock* lock = nullptr;
  Owner* owner = nullptr;
  bool is_default = false;
  bool is_send = false;
  bool (*ready)(void*) = nullptr;
  void (*fire)(void*, WakeList&) = nullptr;
  void (*enqueue)(void*, Waiter&) = nullptr;
  void (*dequeue)(void*, Waiter&) = nullptr;
  void (*complete)(void*, Waiter&) = nullptr;
  void (*run)(void*) = nullptr;
  bool (*closed)(void*) = nullptr;  // send cases: is the channel closed?
  void (*release)(void*) = nullptr;  // unbinds an idle channel made outside simulations
  void (*retain)(void*) = nullptr;  // a reference to the channel, while the select is parked
  void (*drop)(void*) = nullptr;    // ...given back
};

}  // namespace detail

template <class T, class F>
struct RecvCase {
  detail::ChanState<T>* chan;
  F callback;
  SourceLocation where;
  std::optional<T> slot;

  detail::CaseRef ref() {
    detail::CaseRef r;
    r.self = this;
    r.chan = chan;
    r.lock = chan ? &chan->lock : nullptr;
    r.owner = chan ? &chan->owner : nullptr;
    r.ready = [](void* s) { return static_cast<RecvCase*>(s)->chan->recv_ready(); };
    r.fire = [](void* s, detail::WakeList& wake) {
      auto* c = static_cast<RecvCase*>(s);
      c->chan->try_recv_locked(c->slot, wake);
    };
    r.enqueue = [](void* s, detail::Waiter& w) {
      auto* c = static_cast<RecvCase*>(s);
      w.value = &c->slot;
      c->chan->recvq().push_back(w);
    };
    r.dequeue = [](void* s, detail::Waiter& w) { static_cast<RecvCase*>(s)->chan->recvq().remove(w); };
    r.complete = [](void*, detail::Waiter&) {};
    r.release = [](void* s) { static_cast<RecvCase*>(s)->chan->release_if_idle(); };
    r.retain = [](void* s) { static_cast<RecvCase*>(s)->chan->retain(); };
    r.drop = [](void* s) { static_cast<RecvCase*>(s)->chan->drop(); };
    r.run = [](void* s) {
      auto* c = static_cast<RecvCase*>(s);
      if constexpr (std::is_invocable_v<F&, std::optional<T>>)
        c->callback(std::move(c->slot));
      else
        c->callback();
    };
    return r;
  }
};

template <class T, class F>
struct SendCase {
  detail::ChanState<T>* chan;
  T value;
  F callback;
  SourceLocation where;

  detail::CaseRef ref() {
    detail::CaseRef r;
    r.self = this;
    r.chan = chan;
    r.is_send = true;
    r.lock = chan ? &chan->lock : nullptr;
    r.owner = chan ? &chan->owner : nullptr;
    r.ready = [](void* s) { return static_cast<SendCase*>(s)->chan->send_ready(); };
    r.closed = [](void* s) { return static_cast<SendCase*>(s)->chan->closed(); };
    r.fire = [](void* s, detail::WakeList& wake) {
      auto* c = static_cast<SendCase*>(s);
      c->chan->try_send_locked(c->value, wake);
    };
    r.enqueue = [](void* s, detail::Waiter& w) {
      auto* c = static_cast<SendCase*>(s);
      w.value = &c->value;
      c->chan->sendq().push_back(w);
    };
    r.dequeue = [](void* s, detail::Waiter& w) { static_cast<SendCase*>(s)->chan->sendq().remove(w); };
    r.complete = [](void* s, detail::Waiter& w) {
      auto* c = static_cast<SendCase*>(s);
      if (!w.ok) detail::fail_misuse("send on closed channel (closed while select waited)", c->chan, c->where);
    };
    r.run = [](void* s) { static_cast<SendCase*>(s)->callback(); };
    r.release = [](void* s) { static_cast<SendCase*>(s)->chan->release_if_idle(); };
    r.retain = [](void* s) { static_cast<SendCase*>(s)->chan->retain(); };
    r.drop = [](void* s) { static_cast<SendCase*>(s)->chan->drop(); };
    return r;
  }
};

template <class F>
struct DefaultCase {
  F callback;
  SourceLocation where;

  detail::CaseRef ref() {
    detail::CaseRef r;
    r.self = this;
    r.is_default = true;
    r.run = [](void* s) { static_cast<DefaultCase*>(s)->callback(); };
    return r;
  }
};

// on_recv(ch, f): a receive case; f(std::optional<T>) or f().
template <class T, class F>
RecvCase<T, std::decay_t<F>> on_recv(const detail::ChanBase<T>& ch, F&& f,
                                     SourceLocation where = SourceLocation::current()) {
  return {ch.state(), std::forward<F>(f), where, std::nullopt};
}
// on_recv(ch): a receive case with nothing to run.
template <class T>
auto on_recv(const detail::ChanBase<T>& ch, SourceLocation where = SourceLocation::current()) {
  return on_recv(ch, [] {}, where);
}
// on_send(ch, value, f): a send case; f() runs once the value is taken.
template <class T, class V, class F>
SendCase<T, std::decay_t<F>> on_send(const detail::ChanBase<T>& ch, V&& value, F&& f,
                                     SourceLocation where = SourceLocation::current()) {
  return {ch.state(), T(std::forward<V>(value)), std::forward<F>(f), where};
}
template <class F>
DefaultCase<std::decay_t<F>> on_default(F&& f, SourceLocation where = SourceLocation::current()) {
  return {std::forward<F>(f), where};
}

namespace detail {

// select_cases() is the select loop over type-erased cases.
std::size_t select_cases(CaseRef* cases, std::size_t n, SourceLocation where);

template <class C>
SourceLocation where_of(const C& c) {
  return c.where;
}

}  // namespace detail

// select() with no cases is Go's `select {}`: it blocks forever, as
// select_forever() (so generic code may pass an empty pack). A non-template
// overload, so it still records the caller's site.
[[noreturn]] std::size_t select(SourceLocation where = SourceLocation::current());

template <class... Cases>
  requires(sizeof...(Cases) > 0)
std::size_t select(Cases&&... cases) {
  std::array<detail::CaseRef, sizeof...(Cases)> refs{cases.ref()...};
  SourceLocation where = detail::where_of(std::get<0>(std::forward_as_tuple(cases...)));
  return detail::select_cases(refs.data(), refs.size(), where);
}

// select_forever() is Go's `select {}`: blocks forever ("select (no cases)").
[[noreturn]] void select_forever(SourceLocation where = SourceLocation::current());

}  // namespace lockstep
