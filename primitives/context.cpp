#include "primitives/context.hpp"

#include <algorithm>
#include <thread>
#include <vector>

#include "primitives/internal/blocking.hpp"
#include "runtime/object_lock.hpp"
#include "runtime/race.hpp"

namespace lockstep {
namespace detail {

// One after_func registration. `claimed` decides, once, between running f
// (the canceller) and stop(): whoever sets it first wins, as Go's
// afterFuncCtx.once. Listed in its context's `after_funcs` while pending.
struct AfterFuncState {
  std::atomic<bool> claimed{false};
  UniqueFunction<void()> f;
  SourceLocation where;
  std::weak_ptr<ContextState> ctx;  // the nearest cancellable context; empty if none
  std::size_t slot = 0;             // in ctx's after_funcs; guarded by ctx's lock

  // start() runs f in a new goroutine unless stop() claimed it first. It may
  // run on a timer (a deadline), so it spawns without a preemption point.
  void start() {
    if (claimed.exchange(true, std::memory_order_acq_rel)) return;
    current_runtime()->spawn(Body(std::move(f)), std::string{}, where);
  }
};

// One node of the context tree. Value nodes carry key/value; cancellable
// nodes carry the rest. A pending deadline timer keeps its node alive.
struct ContextState final : TimerNode, std::enable_shared_from_this<ContextState> {
  std::shared_ptr<ContextState> parent;  // null under background
  bool cancellable = false;
  bool detached = false;  // without_cancel(): cancellation stops here, values do not

  const void* key = nullptr;  // value nodes
  std::shared_ptr<const void> value;

  // Cancellable nodes. Guarded by `lock`: err, cause, children, hooks.
  ObjectLock lock;
  Chan<Empty> done;  // made when the node is cancellable
  Error err;
  Error cause;
  std::optional<TimePoint> deadline;
  Error deadline_cause;        // cause() after the deadline; null: the error itself
  Runtime* runtime = nullptr;  // the deadline timer's runtime; null once discarded
  std::shared_ptr<ContextState> keepalive;
  // The live children to cancel with this node. A child knows its slot, so it
  // leaves in O(1) (the last child takes the slot): a context with 100,000
  // requests under it must not scan them at every request's end.
  struct Child {
    ContextState* raw;  // identifies the child while it lives
    std::weak_ptr<ContextState> weak;
  };
  std::vector<Child> children;
  // This node's slot in its nearest cancellable ancestor's `children`;
  // guarded by that ancestor's lock.
  std::size_t slot_in_parent = 0;
  CancelHook* hooks = nullptr;  // in registration order: waiters wake first come, first served
  CancelHook* hooks_tail = nullptr;
  // Pending after_funcs, each knowing its slot (a stop() leaves in O(1), as
  // children do). The context owns them: dropping it drops them.
  std::vector<std::shared_ptr<AfterFuncState>> after_funcs;

  // A child dropped without being cancelled leaves its parent's list here:
  // the list must never hold a dead child (another child's leaving writes
  // to the child it moves).
  ~ContextState() {
    if (cancellable) detach_from_parent();
  }

  // nearest_cancellable() is the context whose cancellation `s` sees: none
  // past a without_cancel() node.
  static ContextState* nearest_cancellable(ContextState* s) noexcept {
    while (s != nullptr && !s->cancellable) {
      if (s->detached) return nullptr;
      s = s->parent.get();
    }
    return s;
  }

  // cancel() records the error (first call wins), then closes done, stops
  // the deadline timer, cancels the children, runs the hooks, starts the
  // after_funcs and leaves the parent. The caller holds a reference, so `this` outlives the call.
  void cancel(const Error& error, const Error& why) {
    race_release(this);  // before err is set: see Context::err()
    lock.lock();
    if (err) {
      lock.unlock();
      return;
    }
    err = error;
    cause = why ? why : error;
    std::vector<Child> kids = std::move(children);
    children.clear();
    CancelHook* hook_list = hooks;
    hooks = hooks_tail = nullptr;
    std::vector<std::shared_ptr<AfterFuncState>> funcs = std::move(after_funcs);
    after_funcs.clear();
    for (CancelHook* h = hook_list; h != nullptr; h = h->next)
      h->state.store(CancelHook::firing, std::memory_order_relaxed);
    lock.unlock();

    close_done();
    if (runtime != nullptr && runtime->cancel_timer(*this)) keepalive.reset();
    for (Child& kid : kids)
      if (auto child = kid.weak.lock()) child->cancel(error, cause);
    while (hook_list != nullptr) {
      CancelHook* h = hook_list;
      hook_list = h->next;
      h->fire(*h);
      h->state.store(CancelHook::fired, std::memory_order_release);  // h may be gone now
    }
    for (auto& f : funcs) f->start();
    detach_from_parent();
  }

  void close_done() {
    auto* c = done.state();
    WakeList wake;
    c->lock.lock();
    c->close_locked(wake);
    c->lock.unlock();
    if (!wake.empty()) wake.ready_all(*current_runtime());
  }

  void detach_from_parent() {
    ContextState* p = nearest_cancellable(parent.get());
    if (p == nullptr) return;
    p->lock.lock();
    std::size_t i = slot_in_parent;
    // Not listed any more if the parent was cancelled (its list moved out).
    if (i < p->children.size() && p->children[i].raw == this) {
      if (i + 1 < p->children.size()) {
        p->children[i] = std::move(p->children.back());
        p->children[i].raw->slot_in_parent = i;
      }
      p->children.pop_back();
    }
    p->lock.unlock();
  }
};

namespace {

void on_deadline(TimerNode& node) {
  auto& s = static_cast<ContextState&>(node);
  std::shared_ptr<ContextState> keep = std::move(s.keepalive);
  s.cancel(deadline_exceeded_error(), s.deadline_cause);
}

void on_discard(TimerNode& node) {
  auto& s = static_cast<ContextState&>(node);
  s.runtime = nullptr;
  s.keepalive.reset();  // may destroy `s`: nothing touches it after this
}

}  // namespace

Watch watch(const Context& ctx, CancelHook& hook) {
  ContextState* s = ContextState::nearest_cancellable(ctx.state_.get());
  if (s == nullptr) return Watch::never;
  s->lock.lock();
  if (s->err) {
    s->lock.unlock();
    return Watch::already;
  }
  hook.prev = s->hooks_tail;
  hook.next = nullptr;
  (s->hooks_tail != nullptr ? s->hooks_tail->next : s->hooks) = &hook;
  s->hooks_tail = &hook;
  hook.state.store(CancelHook::linked, std::memory_order_relaxed);
  s->lock.unlock();
  return Watch::watching;
}

void unwatch(const Context& ctx, CancelHook& hook) {
  ContextState* s = ContextState::nearest_cancellable(ctx.state_.get());
  if (s == nullptr) return;
  s->lock.lock();
  if (hook.state.load(std::memory_order_relaxed) == CancelHook::linked) {
    (hook.prev != nullptr ? hook.prev->next : s->hooks) = hook.next;
    (hook.next != nullptr ? hook.next->prev : s->hooks_tail) = hook.prev;
    hook.state.store(CancelHook::idle, std::memory_order_relaxed);
  }
  s->lock.unlock();
  // Taken by a canceller: wait until its fire() returned. In a simulation it
  // has (fire() never blocks, and one fiber runs at a time).
  while (hook.state.load(std::memory_order_acquire) == CancelHook::firing) std::this_thread::yield();
}

}  // namespace detail

Error canceled_error() {
  static const Error e = std::make_exception_ptr(Canceled{});
  return e;
}

Error deadline_exceeded_error() {
  static const Error e = std::make_exception_ptr(DeadlineExceeded{});
  return e;
}

bool is_canceled(const Error& e) noexcept { return e == canceled_error(); }
bool is_deadline_exceeded(const Error& e) noexcept { return e == deadline_exceeded_error(); }

std::string error_message(const Error& e) {
  if (!e) return "nil";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "non-standard exception";
  }
}

RecvChan<Empty> Context::done() const {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  auto* s = detail::ContextState::nearest_cancellable(state_.get());
  return s != nullptr ? RecvChan<Empty>(s->done) : RecvChan<Empty>();
}

// Race detector (runtime/race.hpp): cancel() happens before an err() that
// sees it returns (a receive from done() syncs through the channel's close).
Error Context::err() const {
  auto* s = detail::ContextState::nearest_cancellable(state_.get());
  if (s == nullptr) return nullptr;
  s->lock.lock();
  Error e = s->err;
  s->lock.unlock();
  if (e) detail::race_acquire(s);
  return e;
}

std::optional<TimePoint> Context::deadline() const {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  auto* s = detail::ContextState::nearest_cancellable(state_.get());
  return s != nullptr ? s->deadline : std::nullopt;
}

const void* Context::find_value(const void* key) const {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  for (auto* s = state_.get(); s != nullptr; s = s->parent.get())
    if (s->key == key) return s->value.get();
  return nullptr;
}

Context Context::make_value(const Context& parent, const void* key, std::shared_ptr<const void> value) {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  auto s = std::make_shared<detail::ContextState>();
  s->parent = parent.state_;
  s->key = key;
  s->value = std::move(value);
  return Context(std::move(s));
}

void CancelFunc::operator()() const {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  state_->cancel(canceled_error(), nullptr);
}

void CancelFunc::cancel_with(Error why) const {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  state_->cancel(canceled_error(), why);
}

Context background() { return Context(); }

std::pair<Context, CancelFunc> make_cancel_context(const Context& parent, std::optional<TimePoint> deadline,
                                                   Error deadline_cause) {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  auto s = std::make_shared<detail::ContextState>();
  s->parent = parent.state_;
  s->cancellable = true;
  s->deadline_cause = std::move(deadline_cause);
  s->done = Chan<Empty>(0);
  detail::ContextState* p = detail::ContextState::nearest_cancellable(s->parent.get());
  std::optional<TimePoint> inherited = p != nullptr ? p->deadline : std::nullopt;
  if (deadline && inherited && *inherited <= *deadline) deadline.reset();  // the parent's fires first
  s->deadline = deadline ? deadline : inherited;
  if (p != nullptr) {
    p->lock.lock();
    if (p->err) {
      Error e = p->err, why = p->cause;
      p->lock.unlock();
      s->cancel(e, why);
    } else {
      s->slot_in_parent = p->children.size();
      p->children.push_back({s.get(), s});
      p->lock.unlock();
    }
  }
  if (deadline && !s->err) {
    detail::Runtime* rt = detail::current_runtime();
    s->runtime = rt;
    s->when = *deadline;
    s->fire = &detail::on_deadline;
    s->discard = &detail::on_discard;
    s->keepalive = s;
    rt->add_timer(*s);  // cancels at once if the deadline has passed
  }
  return {Context(s), CancelFunc(s)};
}

std::pair<Context, CancelFunc> with_cancel(const Context& parent) {
  return make_cancel_context(parent, std::nullopt);
}

std::pair<Context, CancelFunc> with_cancel_cause(const Context& parent) { return with_cancel(parent); }

std::pair<Context, CancelFunc> with_deadline(const Context& parent, TimePoint deadline) {
  return make_cancel_context(parent, deadline);
}

namespace {
TimePoint deadline_after(Duration timeout) {
  TimePoint now = detail::current_runtime()->now();
  return timeout > TimePoint::max() - now ? TimePoint::max() : now + timeout;
}
}  // namespace

std::pair<Context, CancelFunc> with_timeout(const Context& parent, Duration timeout) {
  return make_cancel_context(parent, deadline_after(timeout));
}

std::pair<Context, CancelFunc> with_deadline_cause(const Context& parent, TimePoint deadline, Error cause) {
  return make_cancel_context(parent, deadline, std::move(cause));
}

std::pair<Context, CancelFunc> with_timeout_cause(const Context& parent, Duration timeout, Error cause) {
  return make_cancel_context(parent, deadline_after(timeout), std::move(cause));
}

Context without_cancel(const Context& parent) {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  auto s = std::make_shared<detail::ContextState>();
  s->parent = parent.state_;
  s->detached = true;
  return Context(std::move(s));
}

StopFunc after_func(const Context& ctx, detail::UniqueFunction<void()> f, SourceLocation where) {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  if (!f) detail::fail_misuse("context after_func of an empty function", nullptr, where);
  auto a = std::make_shared<detail::AfterFuncState>();
  a->f = std::move(f);
  a->where = where;
  detail::ContextState* s = detail::ContextState::nearest_cancellable(ctx.state_.get());
  if (s == nullptr) return StopFunc(std::move(a));  // never done: f never runs
  s->lock.lock();
  if (s->err) {
    s->lock.unlock();
    a->start();
    return StopFunc(std::move(a));
  }
  a->ctx = s->weak_from_this();
  a->slot = s->after_funcs.size();
  s->after_funcs.push_back(a);
  s->lock.unlock();
  return StopFunc(std::move(a));
}

bool StopFunc::operator()() const {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  detail::AfterFuncState& a = *state_;
  if (a.claimed.exchange(true, std::memory_order_acq_rel)) return false;
  if (auto s = a.ctx.lock()) {
    // Still listed unless a canceller moved the list out (it then finds the
    // claim taken and does not start f).
    s->lock.lock();
    auto& list = s->after_funcs;
    std::size_t i = a.slot;
    if (i < list.size() && list[i].get() == &a) {
      if (i + 1 < list.size()) {
        list[i] = std::move(list.back());
        list[i]->slot = i;
      }
      list.pop_back();
    }
    s->lock.unlock();
  }
  return true;
}

Error cause(const Context& ctx) {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  auto* s = detail::ContextState::nearest_cancellable(ctx.state_.get());
  if (s == nullptr) return nullptr;
  s->lock.lock();
  Error c = s->cause;
  s->lock.unlock();
  return c;
}

}  // namespace lockstep
