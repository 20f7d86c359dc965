#include "runtime/timer_heap.hpp"

#include <algorithm>
#include <cstring>
#include <new>

namespace lockstep::detail {
namespace {

constexpr std::size_t kLine = 64;
constexpr std::size_t kLead = 3;  // entries before heap_[0], so heap_[1] starts a line

}  // namespace

TimerHeap::~TimerHeap() { ::operator delete(block_, std::align_val_t{kLine}); }

bool TimerHeap::push(TimerNode& node) {
  if (next_order_ == order_limit_) renumber();
  if (count_ == capacity_) grow();
  if (free_handles_.empty() && nodes_.size() == nodes_.capacity()) {  // may throw: before any change
    nodes_.reserve(nodes_.empty() ? 64 : nodes_.size() * 2);
    free_handles_.reserve(nodes_.capacity());  // so freeing a handle never allocates
  }
  std::uint32_t handle = new_handle(node);
  node.seq = next_seq_++;
  ++live_;
  Entry e{node.when.time_since_epoch().count(), std::uint64_t{next_order_++} << 32 | handle};
  return sift_up(count_++, e) == 0;
}

TimerNode& TimerHeap::pop() noexcept {
  std::uint32_t handle = handle_of(heap_[0]);
  TimerNode& top = *nodes_[handle];
  top.slot = TimerNode::kNotPending;
  nodes_[handle] = nullptr;
  free_handle(handle);
  --live_;
  remove_top();
  drop_dead_tops();
  return top;
}

bool TimerHeap::remove(TimerNode& node) noexcept {
  if (!node.pending()) return false;
  nodes_[node.slot] = nullptr;  // its entry is dead from now on
  node.slot = TimerNode::kNotPending;
  --live_;
  if (count_ - live_ > live_ + kArity)
    compact();
  else
    drop_dead_tops();
  return true;
}

std::uint32_t TimerHeap::new_handle(TimerNode& node) {
  std::uint32_t handle;
  if (!free_handles_.empty()) {
    handle = free_handles_.back();
    free_handles_.pop_back();
    nodes_[handle] = &node;
  } else {
    handle = static_cast<std::uint32_t>(nodes_.size());
    nodes_.push_back(&node);  // capacity reserved by push()
  }
  node.slot = handle;
  return handle;
}

void TimerHeap::grow() {
  std::size_t capacity = capacity_ == 0 ? 64 : capacity_ * 2;
  auto* block = static_cast<Entry*>(::operator new((capacity + kLead) * sizeof(Entry), std::align_val_t{kLine}));
  if (count_ > 0) std::memcpy(block + kLead, heap_, count_ * sizeof(Entry));
  ::operator delete(block_, std::align_val_t{kLine});
  block_ = block;
  heap_ = block + kLead;
  capacity_ = capacity;
}

// remove_top() takes heap_[0] out, live or dead (its handle is already
// dealt with). Bottom-up: the hole sinks to a leaf along the smaller
// children, then the last entry rises from there; this does about half the
// comparisons of sifting the last entry down from the top.
void TimerHeap::remove_top() noexcept {
  Entry last = heap_[--count_];
  if (count_ == 0) return;
  std::size_t hole = 0;
  for (;;) {
    std::size_t first = hole * kArity + 1;
    if (first >= count_) break;
    std::size_t end = std::min(first + kArity, count_);
    std::size_t best = first;
    for (std::size_t c = first + 1; c < end; ++c)
      if (heap_[c] < heap_[best]) best = c;
    heap_[hole] = heap_[best];
    hole = best;
  }
  sift_up(hole, last);
}

// drop_dead_tops() restores the invariant that the top is live.
void TimerHeap::drop_dead_tops() noexcept {
  while (count_ > 0 && nodes_[handle_of(heap_[0])] == nullptr) {
    free_handle(handle_of(heap_[0]));
    remove_top();
  }
}

// compact() drops every dead entry and rebuilds the heap (Floyd's, O(n)).
void TimerHeap::compact() noexcept {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    if (nodes_[handle_of(heap_[i])] != nullptr)
      heap_[kept++] = heap_[i];
    else
      free_handle(handle_of(heap_[i]));
  }
  count_ = kept;
  if (count_ > 1)
    for (std::size_t i = (count_ - 2) / kArity + 1; i-- > 0;) sift_down(i, heap_[i]);
}

// renumber() restarts the add order: in (when, order) order, the pending
// timers get orders 0, 1, 2...; sorted, the entries are a valid heap.
void TimerHeap::renumber() noexcept {
  compact();
  std::sort(heap_, heap_ + count_);
  for (std::size_t i = 0; i < count_; ++i)
    heap_[i].key = std::uint64_t{static_cast<std::uint32_t>(i)} << 32 | handle_of(heap_[i]);
  next_order_ = static_cast<std::uint32_t>(count_);
}

std::size_t TimerHeap::sift_up(std::size_t slot, Entry e) noexcept {
  while (slot > 0) {
    std::size_t parent = (slot - 1) / kArity;
    if (!(e < heap_[parent])) break;
    heap_[slot] = heap_[parent];
    slot = parent;
  }
  heap_[slot] = e;
  return slot;
}

void TimerHeap::sift_down(std::size_t slot, Entry e) noexcept {
  for (;;) {
    std::size_t first = slot * kArity + 1;
    if (first >= count_) break;
    std::size_t end = std::min(first + kArity, count_);
    std::size_t best = first;
    for (std::size_t c = first + 1; c < end; ++c)
      if (heap_[c] < heap_[best]) best = c;
    if (!(heap_[best] < e)) break;
    heap_[slot] = heap_[best];
    slot = best;
  }
  heap_[slot] = e;
}

}  // namespace lockstep::detail
