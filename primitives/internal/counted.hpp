// RefCount and Counted<T>: the shared ownership of a channel's state by its
// handles, and by the tasks parked on it.
//
// A task parked on a channel holds a reference, as a blocked goroutine keeps
// a Go channel reachable: the handle it came through may die meanwhile (a
// leaked fiber blocked on main's local channel, captured by reference), and
// the dump, the teardown and a misuse message still need the channel. So a
// reference is taken on every park, which std::shared_ptr would make a locked
// instruction each time (measured: +15 ns on a simulated ping-pong of
// 100 ns). RefCount avoids it where it can:
//  - an object made inside a simulation belongs to that simulation's one
//    thread for life (DESIGN.md, "Ownership of objects"), so its count is a
//    plain read-modify-write;
//  - an object made outside any simulation is shared by threads: its count
//    is atomic.
// Handing a simulation's channel handle to another thread that copies it
// while the simulation runs is outside that rule (and misuse for any
// operation on it).
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

#include "runtime/race.hpp"
#include "runtime/seam.hpp"

namespace lockstep::detail {

class RefCount {
 public:
  void retain() noexcept {
    if (local_)
      count_.store(count_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    else
      count_.fetch_add(1, std::memory_order_relaxed);
  }
  // release() drops one reference; true if it was the last.
  bool release() noexcept {
    if (local_) {
      std::uint32_t left = count_.load(std::memory_order_relaxed) - 1;
      count_.store(left, std::memory_order_relaxed);
      return left == 0;
    }
    return count_.fetch_sub(1, std::memory_order_acq_rel) == 1;
  }

 private:
  std::atomic<std::uint32_t> count_{1};  // the creator's reference
  const bool local_ = in_simulation();
};

// Counted<T>: a counted reference to a T that has `RefCount refs` and is
// allocated with new. Null is a valid value (a nil channel).
template <class T>
class Counted {
 public:
  Counted() noexcept = default;
  // adopt() takes the creator's reference of a new object.
  static Counted adopt(T* created) noexcept { return Counted(created); }
  // share() takes one more reference to a live object.
  static Counted share(T* live) noexcept {
    if (live != nullptr) live->refs.retain();
    return Counted(live);
  }
  Counted(const Counted& o) noexcept : p_(o.p_) {
    if (p_ != nullptr) p_->refs.retain();
  }
  Counted(Counted&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  Counted& operator=(Counted o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~Counted() {
    if (p_ != nullptr && p_->refs.release()) {
      RaceIgnore ignore;  // the last handle frees the state: bookkeeping, not a write
      delete p_;
    }
  }

  T* get() const noexcept { return p_; }
  T* operator->() const noexcept { return p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }
  friend bool operator==(const Counted& a, const Counted& b) noexcept { return a.p_ == b.p_; }

 private:
  explicit Counted(T* p) noexcept : p_(p) {}
  T* p_ = nullptr;
};

}  // namespace lockstep::detail
