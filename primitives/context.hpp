// Context: Go's context package — cancellation, deadlines and request-scoped
// values that flow down a tree of contexts.
//
//   auto [ctx, cancel] = lockstep::with_timeout(parent, 5s);
//   lockstep::select(lockstep::on_recv(result, [&](auto r) { use(r); }),
//                    lockstep::on_recv(ctx.done(), [&] { fail(ctx.err()); }));
//   cancel();  // always call it: it releases the deadline timer at once
//
//   background()            the root: never cancelled, no deadline, no values
//                           (a default-constructed Context is the same)
//   with_cancel(p)          a child cancelled by its cancel() or by p
//   with_cancel_cause(p)    the same; cancel(cause) records why
//   with_deadline(p, t)     also cancelled at t with deadline_exceeded; the
//   with_timeout(p, d)      earlier of t and p's deadline wins
//   with_value(p, key, v)   a child that carries v under key
//   with_deadline_cause(p, t, c)  with_deadline / with_timeout whose expiry
//   with_timeout_cause(p, d, c)   records cause c (err() stays
//                                 deadline_exceeded_error())
//   without_cancel(p)       p's values, but never cancelled: no done, no err,
//                           no deadline (Go's WithoutCancel)
//   after_func(ctx, f)      runs f in its own goroutine once ctx is done (at
//                           once if it is); returns stop (Go's AfterFunc)
//
//   done()      a channel closed on cancellation (nil for background: a
//               select case on it never fires)
//   err()       null while live, then canceled_error() or
//               deadline_exceeded_error() (compare with is_canceled() /
//               is_deadline_exceeded())
//   cause(ctx)  the cause given to a cancel-cause function or a *_cause
//               deadline, else err(); null while live (Go's context.Cause)
//   deadline()  the effective deadline, if any
//   value(key)  the nearest value for key, or null
//
// Cancelling a context cancels its descendants (with the same error and
// cause), closes its done channel, stops its deadline timer, and detaches it
// from its parent. Errors are std::exception_ptr (lockstep::Error), so any
// exception can be a cause. Contexts are handles: copies share one context.
// Deadlines run on the runtime's clock: virtual in a simulation, the steady
// clock on real threads (where a timer thread cancels the context).
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "primitives/chan.hpp"
#include "runtime/clock.hpp"
#include "runtime/seam.hpp"
#include "runtime/unique_function.hpp"

namespace lockstep {

// The element type of done channels: nothing is ever sent, they only close.
struct Empty {};

using Error = std::exception_ptr;

class Canceled : public std::runtime_error {
 public:
  Canceled() : std::runtime_error("context canceled") {}
};
class DeadlineExceeded : public std::runtime_error {
 public:
  DeadlineExceeded() : std::runtime_error("context deadline exceeded") {}
};

// The two errors a context reports, as shared singletons (compare by identity).
Error canceled_error();
Error deadline_exceeded_error();
bool is_canceled(const Error& e) noexcept;
bool is_deadline_exceeded(const Error& e) noexcept;
// error_message() is what() of the error, or "nil".
std::string error_message(const Error& e);

// A typed key for with_value(); keys compare by identity, like Go's
// unexported key types. Give it a name for dumps and debugging.
template <class T>
class ContextKey {
 public:
  explicit ContextKey(std::string name) : name_(std::move(name)) {}
  const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;
};

class Context;

namespace detail {
struct ContextState;
struct AfterFuncState;
struct CancelHook;
enum class Watch;
Watch watch(const Context& ctx, CancelHook& hook);
void unwatch(const Context& ctx, CancelHook& hook);
}  // namespace detail

[[nodiscard]] Error cause(const Context& ctx);
Context without_cancel(const Context& parent);
class StopFunc;
StopFunc after_func(const Context& ctx, detail::UniqueFunction<void()> f, SourceLocation where);

class Context {
 public:
  Context() = default;  // background

  RecvChan<Empty> done() const;
  [[nodiscard]] Error err() const;
  std::optional<TimePoint> deadline() const;
  template <class T>
  const T* value(const ContextKey<T>& key) const {
    return static_cast<const T*>(find_value(&key));
  }

 private:
  friend struct detail::ContextState;
  friend class CancelFunc;
  friend detail::Watch detail::watch(const Context&, detail::CancelHook&);
  friend void detail::unwatch(const Context&, detail::CancelHook&);
  friend Error cause(const Context& ctx);
  friend Context without_cancel(const Context& parent);
  friend StopFunc after_func(const Context&, detail::UniqueFunction<void()>, SourceLocation);
  explicit Context(std::shared_ptr<detail::ContextState> s) : state_(std::move(s)) {}
  const void* find_value(const void* key) const;
  std::shared_ptr<detail::ContextState> state_;  // null: background

  template <class T>
  friend Context with_value(const Context& parent, const ContextKey<T>& key, T value);
  static Context make_value(const Context& parent, const void* key, std::shared_ptr<const void> value);
  friend std::pair<Context, class CancelFunc> make_cancel_context(const Context&, std::optional<TimePoint>,
                                                                  Error);
};

// CancelFunc cancels its context (with canceled_error()); calling it again
// does nothing. Copies cancel the same context.
class CancelFunc {
 public:
  void operator()() const;
  // cancel_with() is the with_cancel_cause form: records `cause`.
  void cancel_with(Error cause) const;

 private:
  friend std::pair<Context, CancelFunc> make_cancel_context(const Context&, std::optional<TimePoint>, Error);
  explicit CancelFunc(std::shared_ptr<detail::ContextState> s) : state_(std::move(s)) {}
  std::shared_ptr<detail::ContextState> state_;
};

Context background();
std::pair<Context, CancelFunc> with_cancel(const Context& parent);
// with_cancel_cause(): cancel.cancel_with(cause) records the cause; plain
// cancel() records canceled_error().
std::pair<Context, CancelFunc> with_cancel_cause(const Context& parent);
std::pair<Context, CancelFunc> with_deadline(const Context& parent, TimePoint deadline);
std::pair<Context, CancelFunc> with_timeout(const Context& parent, Duration timeout);
// with_deadline_cause() / with_timeout_cause(): when the deadline expires,
// err() is deadline_exceeded_error() and cause(ctx) is `cause` (Go 1.21's
// WithDeadlineCause / WithTimeoutCause). cancel() before then records
// canceled_error(), as in Go. If the parent's deadline is earlier, the
// parent's expiry (and its cause) wins.
std::pair<Context, CancelFunc> with_deadline_cause(const Context& parent, TimePoint deadline, Error cause);
std::pair<Context, CancelFunc> with_timeout_cause(const Context& parent, Duration timeout, Error cause);

// without_cancel() is Go 1.21's WithoutCancel: a child that sees parent's
// values but is never cancelled, even when parent is. done() is nil (a
// receive blocks forever, a select case on it never fires), err() and
// cause() are null, deadline() is empty. Contexts derived from it are
// cancelled only by their own cancel or deadline.
Context without_cancel(const Context& parent);

// StopFunc is what after_func() returns. stop() returns true if it stopped f
// from being run: false once f has started (or was started because ctx was
// already done), or if stop was already called. It does not wait for f.
// Copies stop the same registration.
class StopFunc {
 public:
  bool operator()() const;

 private:
  friend StopFunc after_func(const Context&, detail::UniqueFunction<void()>, SourceLocation);
  explicit StopFunc(std::shared_ptr<detail::AfterFuncState> s) : state_(std::move(s)) {}
  std::shared_ptr<detail::AfterFuncState> state_;
};

// after_func() is Go 1.21's context.AfterFunc: once ctx is done, f runs in a
// goroutine of its own (spawned at `where`), at once if ctx is already done.
// Several after_funcs on one context run independently. On a context that
// is never cancelled (background(), without_cancel()) f never runs. The
// registration holds f (and what it captures) until ctx is done, stop() is
// called, or the context is destroyed; so an f that captures its own
// context keeps it alive until it is done or stopped (no garbage collector
// breaks that cycle, as Go's would): cancel or stop it.
StopFunc after_func(const Context& ctx, detail::UniqueFunction<void()> f,
                    SourceLocation where = SourceLocation::current());

template <class T>
Context with_value(const Context& parent, const ContextKey<T>& key, T value) {
  return Context::make_value(parent, &key, std::make_shared<const T>(std::move(value)));
}

// make_cancel_context(): `deadline_cause` is what cause() reports when the
// deadline expires (null: deadline_exceeded_error()).
std::pair<Context, CancelFunc> make_cancel_context(const Context& parent, std::optional<TimePoint> deadline,
                                                   Error deadline_cause = nullptr);

namespace detail {

// CancelHook: a callback run (once) when a context is cancelled, for
// primitives whose waits a context can interrupt (Semaphore::acquire(ctx, n),
// Mutex::lock(ctx), RWMutex::lock(ctx)/rlock(ctx), Cond::wait(ctx),
// WaitGroup::wait(ctx)). It runs in the canceller's context, after the
// context released its own lock, and must not block.
// A hook's life: idle -> linked (watch) -> idle (unwatch), or linked ->
// firing (the canceller took it, under the context's lock) -> fired (its
// fire() returned; the canceller never touches it again). unwatch() of a
// firing hook waits for fired: on real threads the canceller may still be
// running fire() on another thread, and the hook lives on the waiter's stack.
struct CancelHook {
  enum State : std::uint8_t { idle, linked, firing, fired };
  void (*fire)(CancelHook&) = nullptr;
  CancelHook* prev = nullptr;  // guarded by the context's lock while linked
  CancelHook* next = nullptr;
  std::atomic<State> state{idle};
};

enum class Watch : int {
  never,     // the context can never be cancelled: nothing registered
  watching,  // registered: fire() runs on cancellation unless unwatched first
  already,   // the context is already cancelled: nothing registered
};
Watch watch(const Context& ctx, CancelHook& hook);
// unwatch() removes a registered hook; if a canceller took it, it returns
// once the hook's fire() has returned.
void unwatch(const Context& ctx, CancelHook& hook);

}  // namespace detail
}  // namespace lockstep
