// Ring<T>: a fixed-capacity FIFO, allocated once, so a buffered channel's
// steady state allocates nothing. Capacity 0 is always full and empty.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <utility>

namespace lockstep::detail {

template <class T>
class Ring {
 public:
  explicit Ring(std::size_t capacity)
      : slots_(capacity > 0 ? std::make_unique<std::optional<T>[]>(capacity) : nullptr),
        capacity_(capacity) {}

  std::size_t capacity() const noexcept { return capacity_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  bool full() const noexcept { return size_ == capacity_; }

  // head_slot() is where pop() takes from, tail_slot() where push() puts:
  // the race detector's addresses for a buffered channel's slots.
  const void* head_slot() const noexcept { return &slots_[head_]; }
  const void* tail_slot() const noexcept { return &slots_[tail()]; }

  // push() requires !full(); pop() requires !empty().
  void push(T value) {
    slots_[tail()].emplace(std::move(value));
    ++size_;
  }
  T pop() {
    T value = std::move(*slots_[head_]);
    slots_[head_].reset();
    if (++head_ == capacity_) head_ = 0;
    --size_;
    return value;
  }

 private:
  std::size_t tail() const noexcept {  // where the next push() goes
    std::size_t slot = head_ + size_;
    return slot >= capacity_ ? slot - capacity_ : slot;
  }
  std::unique_ptr<std::optional<T>[]> slots_;
  std::size_t capacity_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace lockstep::detail
