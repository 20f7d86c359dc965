// Chan<T>: Go's channel. Unbuffered (Chan<T>()) or buffered (Chan<T>(n)).
//
//   lockstep::Chan<Scan> scans(16);
//   lockstep::go([scans] { for (auto& s : load()) scans.send(s); scans.close(); });
//   for (Scan s : scans) handle(s);          // ends when closed and drained
//
// A Chan is a handle, like Go's: copies refer to the same channel. A
// default-constructed Chan is nil: send and receive block forever (a
// deadlock unless something else wakes the program) and a select skips it.
//
//   send(v)      blocks until a receiver takes v (unbuffered) or there is
//                room (buffered). Misuse on a closed channel, or if the
//                channel closes while the sender waits (Go panics).
//   recv()       blocks until a value arrives; nullopt once the channel is
//                closed and drained (Go's `v, ok := <-ch` with ok == false).
//   try_send(v)  never blocks: true if v was taken; misuse on a closed channel.
//   try_recv()   never blocks: {success, value} / {closed} / {would_block}.
//   close()      wakes every receiver (they see nullopt after draining) and
//                every sender (their send fails as misuse). Misuse on a nil
//                or closed channel.
//   len(), cap() buffered values, capacity.
// Waiters are served first come, first served. Every operation is a
// scheduling point. Blocking parks as "chan send" / "chan receive" (with
// "(nil chan)" for nil) on `chan<T> #id cap=c len=n`; durably in a
// simulation. SendChan<T> and RecvChan<T> are directional views: the compiler
// rejects a receive on a SendChan and a send or close on a RecvChan.
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <utility>

#include "primitives/internal/blocking.hpp"
#include "primitives/internal/counted.hpp"
#include "primitives/internal/ring.hpp"
#include "primitives/internal/type_name.hpp"
#include "runtime/object_lock.hpp"
#include "runtime/race.hpp"

namespace lockstep {

enum class ChanStatus {
  success,      // a value was sent or received
  closed,       // the channel is closed (and, for a receive, drained)
  would_block,  // a try_ operation found no partner, room or value
};

template <class T>
struct Received {
  ChanStatus status;
  std::optional<T> value;  // set iff status == success
  explicit operator bool() const noexcept { return status == ChanStatus::success; }
};

namespace detail {

// The channel itself; Chan, SendChan and RecvChan share one through a
// ChanRef, and a task parked on it holds one too (internal/counted.hpp).
// Every field but `refs` is guarded by `lock`.
template <class T>
class ChanState;
template <class T>
using ChanRef = Counted<ChanState<T>>;

template <class T>
class ChanState final : public Describes<ChanState<T>> {
 public:
  explicit ChanState(std::size_t capacity) : buffer_(capacity), id_(ObjectId::next()) {}

  std::string describe() const {
    return fmt::format("chan<{}> #{}{} cap={} len={}{}", type_name<T>(), id_.global ? "g" : "",
                       id_.value, buffer_.capacity(), buffer_.size(), closed_ ? " closed" : "");
  }

  RefCount refs;
  // On a cache line of its own: `refs` changes at every park, without the lock.
  alignas(64) ObjectLock lock;
  Owner owner;

  // unlock() releases `lock`; a channel made outside any simulation is also
  // unbound from its runtime once it holds no values and no waiters.
  void unlock() noexcept {
    owner.release_if_idle(buffer_.empty() && recvq_.empty() && sendq_.empty());
    lock.unlock();
  }

  // The *_locked operations run with `lock` held and never block. They add
  // the task to wake, if any, to `wake`.
  //
  // Happens-before (Go's memory model, told to the race detector; no-ops
  // elsewhere): a hand-over between two tasks syncs on the parked one's
  // Waiter, which it released before parking and acquires once woken, so
  // the send happens before the receive completes and, unbuffered, the
  // receive before the send completes. A buffered value syncs on its slot
  // (Go's racenotify): the k-th send before the k-th receive completes, the
  // k-th receive before the (k+cap)-th send completes. close() releases the
  // channel, which a receive that returns because it is closed acquires.

  // release_if_idle() unbinds an idle channel made outside any simulation.
  void release_if_idle() noexcept {
    if (!owner.bindable()) return;
    lock.lock();
    unlock();
  }

  // try_send_locked() returns true if `value` was taken (moved from).
  bool try_send_locked(T& value, WakeList& wake) {
    if (Waiter* r = recvq_.take()) {
      race_sync(r);
      static_cast<std::optional<T>*>(r->value)->emplace(std::move(value));
      r->ok = true;
      wake.add(*r);
      return true;
    }
    if (buffer_.full()) return false;
    race_sync(buffer_.tail_slot());
    buffer_.push(std::move(value));
    return true;
  }

  // try_recv_locked() returns true if it produced an outcome: `out` holds a
  // value, or stays empty because the channel is closed and drained.
  bool try_recv_locked(std::optional<T>& out, WakeList& wake) {
    if (Waiter* s = sendq_.take()) {
      race_sync(s);
      T& sent = *static_cast<T*>(s->value);
      if (buffer_.capacity() == 0) {
        out.emplace(std::move(sent));
      } else {  // the buffer is full: take its head, the sender's value joins the tail
        race_sync(buffer_.head_slot());  // the slot the sender's value then takes
        out.emplace(buffer_.pop());
        buffer_.push(std::move(sent));
      }
      s->ok = true;
      wake.add(*s);
      return true;
    }
    if (!buffer_.empty()) {
      race_sync(buffer_.head_slot());
      out.emplace(buffer_.pop());
      return true;
    }
    if (closed_) race_acquire(this);
    return closed_;
  }

  // close_locked() closes and hands every waiter to `wake` (ok = false).
  void close_locked(WakeList& wake) {
    closed_ = true;
    race_release(this);
    while (Waiter* r = recvq_.take()) {
      race_release(r);
      r->ok = false;
      wake.add(*r);
    }
    while (Waiter* s = sendq_.take()) {
      race_release(s);
      s->ok = false;
      wake.add(*s);
    }
  }

  // queue_locked() puts the caller's Waiter `w` in `queue` (lock held), with
  // `value`, its value to send or its slot to fill.
  void queue_locked(Runtime& rt, WaitQueue& queue, Waiter& w, void* value) noexcept {
    w.task = &rt.current();
    w.value = value;
    queue.push_back(w);
  }

  // park_locked() parks the caller, whose Waiter `w` waits in `queue` (lock
  // held; released as it parks), and returns whether a partner came (false:
  // the channel closed). The task holds a reference while it waits
  // (internal/counted.hpp), taken and dropped by hand: a local handle's
  // destructor would be one more landing pad for a teardown's unwinder. If
  // park() throws (a teardown), its `leave` takes the task out of the queue
  // and drops the reference (seam.hpp, Leave). Always inlined into the
  // channel operation, itself inlined into its caller (see send_or_queue()).
  [[gnu::always_inline]] bool park_locked(Runtime* rt, WaitQueue& queue, Waiter& w, const char* reason,
                                          SourceLocation where) {
    retain();
    race_release(&w);
    auto leave = [&] {
      lock.lock();
      queue.remove(w);
      unlock();
      drop();
    };
    rt->park(WaitSite{reason, this, where, leave_with(leave)}, lock.unlock_on_park());
    race_acquire(&w);
    bool ok = w.ok;
    drop();
    return ok;
  }

  // retain() and drop() take and release a reference that keeps the channel
  // alive while its holder waits on it (a parked task, a select's cases).
  void retain() noexcept { refs.retain(); }
  void drop() noexcept {
    if (refs.release()) {
      RaceIgnore ignore;  // bookkeeping (internal/counted.hpp)
      delete this;
    }
  }

  // drop_buffered_locked() discards the buffered values (a timer's stale
  // tick); true if there was any.
  bool drop_buffered_locked() {
    bool dropped = !buffer_.empty();
    while (!buffer_.empty()) buffer_.pop();
    return dropped;
  }

  bool closed() const noexcept { return closed_; }
  std::size_t size() const noexcept { return buffer_.size(); }
  std::size_t capacity() const noexcept { return buffer_.capacity(); }
  WaitQueue& recvq() noexcept { return recvq_; }
  WaitQueue& sendq() noexcept { return sendq_; }

  // recv_ready() / send_ready(): would a receive / send complete now?
  bool recv_ready() const noexcept { return sendq_.has_live() || !buffer_.empty() || closed_; }
  bool send_ready() const noexcept { return closed_ || recvq_.has_live() || !buffer_.full(); }

 private:
  Ring<T> buffer_;
  WaitQueue recvq_;
  WaitQueue sendq_;
  bool closed_ = false;
  ObjectId id_;
};

// park_nil() blocks forever: an operation on a nil channel.
[[noreturn]] void park_nil(const char* reason, SourceLocation where);
[[noreturn]] void fail_nil_close(SourceLocation where);

// A blocking send or receive is split in two. The part that completes the
// operation, or queues the caller's Waiter, is out of line (send_or_queue(),
// recv_or_queue()); the park is always inlined into the caller's own frame.
// After a switch, every return on the resumed side is mispredicted (the
// CPU's return-stack buffer does not follow the fiber; docs/simulation.md,
// "What a switch costs"): parked from the caller's frame, a woken task
// returns through the runtime's park() only, not also through the channel's
// operation. Measured: a simulated ping-pong round trip 100 -> 81 ns.

// send_or_queue() returns null if the send is over (the value was taken, or
// a torn-down task's channel is gone), else the channel to park on: the
// caller holds its lock and the caller's Waiter `w` waits in its send queue.
template <class T>
[[gnu::noinline]] ChanState<T>* send_or_queue(ChanState<T>* c, Runtime& rt, T& value, Waiter& w,
                                              SourceLocation where) {
  rt.preemption_point(where);
  if (c == nullptr) park_nil("chan send (nil chan)", where);
  if (!c->owner.check(*c, where)) return nullptr;
  WakeList wake;
  c->lock.lock();
  if (c->closed()) {
    c->unlock();
    fail_misuse("send on closed channel", c, where);
  }
  if (c->try_send_locked(value, wake)) {
    c->unlock();
    if (!wake.empty()) wake.ready_all(rt);
    return nullptr;
  }
  c->queue_locked(rt, c->sendq(), w, &value);
  return c;
}

template <class T>
[[gnu::always_inline]] inline void chan_send(ChanState<T>* c, T value, SourceLocation where) {
  Runtime* rt = current_runtime();  // read once: both parts use it
  Waiter w;
  ChanState<T>* parked = send_or_queue(c, *rt, value, w, where);
  if (parked == nullptr) return;
  if (!parked->park_locked(rt, parked->sendq(), w, "chan send", where))
    fail_misuse("send on closed channel (it was closed while the sender waited)", parked, where);
}

// recv_or_queue() is send_or_queue() for a receive: null if `out` holds the
// outcome (a value, or empty: closed and drained).
template <class T>
[[gnu::noinline]] ChanState<T>* recv_or_queue(ChanState<T>* c, Runtime& rt, std::optional<T>& out,
                                              Waiter& w, SourceLocation where) {
  rt.preemption_point(where);
  if (c == nullptr) park_nil("chan receive (nil chan)", where);
  if (!c->owner.check(*c, where)) return nullptr;
  WakeList wake;
  c->lock.lock();
  if (c->try_recv_locked(out, wake)) {
    c->unlock();
    if (!wake.empty()) wake.ready_all(rt);
    return nullptr;
  }
  c->queue_locked(rt, c->recvq(), w, &out);
  return c;
}

// chan_recv_into() receives into `out`, which must be empty; it stays empty if
// the channel is closed and drained. A range-for receives into its iterator
// this way: a received optional, copied whole, would be read in one load
// from the two smaller stores that filled it, which cannot be forwarded.
template <class T>
[[gnu::always_inline]] inline void chan_recv_into(ChanState<T>* c, std::optional<T>& out,
                                                  SourceLocation where) {
  Runtime* rt = current_runtime();  // read once: both parts use it
  Waiter w;
  if (ChanState<T>* parked = recv_or_queue(c, *rt, out, w, where))
    parked->park_locked(rt, parked->recvq(), w, "chan receive", where);
}

template <class T>
[[gnu::always_inline]] inline std::optional<T> chan_recv(ChanState<T>* c, SourceLocation where) {
  std::optional<T> out;
  chan_recv_into(c, out, where);
  return out;  // empty if woken by close
}

template <class T>
bool chan_try_send(ChanState<T>* c, T& value, SourceLocation where) {
  operation_point(where);
  if (c == nullptr) return false;
  if (!c->owner.check(*c, where)) return false;
  WakeList wake;
  c->lock.lock();
  if (c->closed()) {
    c->unlock();
    fail_misuse("send on closed channel", c, where);
  }
  bool sent = c->try_send_locked(value, wake);
  c->unlock();
  if (!wake.empty()) wake.ready_all(*current_runtime());
  return sent;
}

template <class T>
Received<T> chan_try_recv(ChanState<T>* c, SourceLocation where) {
  operation_point(where);
  if (c == nullptr) return {ChanStatus::would_block, std::nullopt};
  if (!c->owner.check(*c, where)) return {ChanStatus::would_block, std::nullopt};
  WakeList wake;
  std::optional<T> out;
  c->lock.lock();
  bool done = c->try_recv_locked(out, wake);
  c->unlock();
  if (!wake.empty()) wake.ready_all(*current_runtime());
  if (!done) return {ChanStatus::would_block, std::nullopt};
  if (!out) return {ChanStatus::closed, std::nullopt};
  return {ChanStatus::success, std::move(out)};
}

template <class T>
void chan_close(ChanState<T>* c, SourceLocation where) {
  operation_point(where);
  if (c == nullptr) fail_nil_close(where);
  if (!c->owner.check(*c, where)) return;
  WakeList wake;
  c->lock.lock();
  if (c->closed()) {
    c->unlock();
    fail_misuse("close of closed channel", c, where);
  }
  c->close_locked(wake);
  c->unlock();
  if (!wake.empty()) wake.ready_all(*current_runtime());
}

template <class T>
class ChanBase {
 public:
  std::size_t len() const {
    if (!state_) return 0;
    state_->lock.lock();
    std::size_t n = state_->size();
    state_->lock.unlock();
    return n;
  }
  std::size_t cap() const { return state_ ? state_->capacity() : 0; }
  bool is_nil() const noexcept { return !state_; }
  // Two handles are equal when they refer to the same channel (or both nil).
  friend bool operator==(const ChanBase& a, const ChanBase& b) noexcept { return a.state_ == b.state_; }
  ChanState<T>* state() const noexcept { return state_.get(); }
  const ChanRef<T>& ref() const noexcept { return state_; }

 protected:
  ChanBase() = default;
  explicit ChanBase(ChanRef<T> s) : state_(std::move(s)) {}
  ChanRef<T> state_;
};

// Range-for over a receiving channel: each recv() until closed and drained.
// It holds the channel, which the loop's handle expression may not, and the
// value received last, which it drops before it receives the next.
template <class T>
class RecvIterator {
 public:
  RecvIterator(ChanRef<T> c, SourceLocation where) : chan_(std::move(c)), where_(where) { advance(); }
  RecvIterator() = default;
  T& operator*() { return *current_; }
  [[gnu::always_inline]] RecvIterator& operator++() {
    advance();
    return *this;
  }
  bool operator!=(const RecvIterator&) const { return current_.has_value(); }

 private:
  [[gnu::always_inline]] void advance() {
    current_.reset();
    chan_recv_into(chan_.get(), current_, where_);
  }
  ChanRef<T> chan_;
  SourceLocation where_;  // the range-for statement
  std::optional<T> current_;
};

}  // namespace detail

template <class T>
class SendChan;
template <class T>
class RecvChan;

template <class T>
class Chan : public detail::ChanBase<T> {
 public:
  // Chan() is nil; Chan(n) makes a channel with room for n values (0: unbuffered).
  Chan() = default;
  explicit Chan(std::size_t capacity)
      : detail::ChanBase<T>(detail::ChanRef<T>::adopt(new detail::ChanState<T>(capacity))) {}
  static Chan make(std::size_t capacity = 0) { return Chan(capacity); }

  [[gnu::always_inline]] void send(T value, SourceLocation where = SourceLocation::current()) const {
    detail::chan_send(this->state(), std::move(value), where);
  }
  [[gnu::always_inline]] std::optional<T> recv(SourceLocation where = SourceLocation::current()) const {
    return detail::chan_recv(this->state(), where);
  }
  bool try_send(T value, SourceLocation where = SourceLocation::current()) const {
    return detail::chan_try_send(this->state(), value, where);
  }
  Received<T> try_recv(SourceLocation where = SourceLocation::current()) const {
    return detail::chan_try_recv(this->state(), where);
  }
  void close(SourceLocation where = SourceLocation::current()) const {
    detail::chan_close(this->state(), where);
  }
  // begin() is called by range-for; its site is the loop's, for dumps.
  detail::RecvIterator<T> begin(SourceLocation where = SourceLocation::current()) const {
    return detail::RecvIterator<T>(this->ref(), where);
  }
  detail::RecvIterator<T> end() const { return {}; }

 private:
  friend class SendChan<T>;
  friend class RecvChan<T>;
};

template <class T>
class SendChan : public detail::ChanBase<T> {
 public:
  SendChan() = default;
  SendChan(const Chan<T>& c) : detail::ChanBase<T>(c.state_) {}  // NOLINT: like Go's implicit conversion

  [[gnu::always_inline]] void send(T value, SourceLocation where = SourceLocation::current()) const {
    detail::chan_send(this->state(), std::move(value), where);
  }
  bool try_send(T value, SourceLocation where = SourceLocation::current()) const {
    return detail::chan_try_send(this->state(), value, where);
  }
  void close(SourceLocation where = SourceLocation::current()) const {
    detail::chan_close(this->state(), where);
  }
};

template <class T>
class RecvChan : public detail::ChanBase<T> {
 public:
  RecvChan() = default;
  RecvChan(const Chan<T>& c) : detail::ChanBase<T>(c.state_) {}  // NOLINT: like Go's implicit conversion

  [[gnu::always_inline]] std::optional<T> recv(SourceLocation where = SourceLocation::current()) const {
    return detail::chan_recv(this->state(), where);
  }
  Received<T> try_recv(SourceLocation where = SourceLocation::current()) const {
    return detail::chan_try_recv(this->state(), where);
  }
  // begin() is called by range-for; its site is the loop's, for dumps.
  detail::RecvIterator<T> begin(SourceLocation where = SourceLocation::current()) const {
    return detail::RecvIterator<T>(this->ref(), where);
  }
  detail::RecvIterator<T> end() const { return {}; }
};

}  // namespace lockstep
