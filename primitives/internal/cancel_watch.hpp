// CancelWatch: lets a context interrupt one parked sync waiter.
//
// While a CancelWatch lives, cancelling its context runs `on_cancel` (in the
// canceller's context, after the context released its own lock; it must not
// block), unless the waiter was detached because its primitive is gone.
// With a null context it watches nothing. Every context-aware wait (Mutex,
// RWMutex, Cond, WaitGroup, Semaphore) uses it the same way:
//
//   detail::CancelWatch watch(&ctx, s, [&] { cancel(s, cancelled); });
//   if (watch.already()) { ...leave the queue, return ctx.err()... }
//   ...park...                      // the watch ends with the scope (or stop())
#pragma once

#include "primitives/context.hpp"
#include "primitives/internal/sync_waiter.hpp"

namespace lockstep::detail {

template <class OnCancel>
class CancelWatch final : public CancelHook {
 public:
  CancelWatch(const Context* ctx, SyncWaiter& waiter, OnCancel on_cancel)
      : ctx_(ctx), waiter_(&waiter), on_cancel_(on_cancel) {
    fire = [](CancelHook& h) {
      auto& self = static_cast<CancelWatch&>(h);
      if (!self.waiter_->detached()) self.on_cancel_();
    };
    state_ = ctx_ != nullptr ? watch(*ctx_, *this) : Watch::never;
  }
  CancelWatch(const CancelWatch&) = delete;
  CancelWatch& operator=(const CancelWatch&) = delete;
  ~CancelWatch() { stop(); }

  // already() is true if the context was cancelled before the watch began.
  bool already() const noexcept { return state_ == Watch::already; }
  // stop() ends the watch early (once the primitive may be destroyed).
  void stop() {
    if (state_ == Watch::watching) unwatch(*ctx_, *this);
    state_ = Watch::never;
  }

 private:
  const Context* ctx_;
  SyncWaiter* waiter_;
  OnCancel on_cancel_;
  Watch state_ = Watch::never;
};

}  // namespace lockstep::detail
