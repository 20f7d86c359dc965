#include "runtime/timer_heap.hpp"

namespace lockstep::detail {

void TimerHeap::push(TimerNode& node) {
  node.seq = next_seq_++;
  Entry e{node.when.time_since_epoch().count(), node.seq, &node};
  entries_.push_back(e);
  sift_up(entries_.size() - 1, e);
}

TimerNode& TimerHeap::pop() noexcept {
  TimerNode& top = *entries_.front().node;
  top.slot = TimerNode::kNotPending;
  Entry last = entries_.back();
  entries_.pop_back();
  if (!entries_.empty()) sift_down(0, last);
  return top;
}

bool TimerHeap::remove(TimerNode& node) noexcept {
  if (!node.pending()) return false;
  std::size_t slot = node.slot;
  node.slot = TimerNode::kNotPending;
  Entry last = entries_.back();
  entries_.pop_back();
  if (slot < entries_.size()) {
    if (slot > 0 && last < entries_[(slot - 1) / kArity])
      sift_up(slot, last);
    else
      sift_down(slot, last);
  }
  return true;
}

void TimerHeap::sift_up(std::size_t slot, Entry e) noexcept {
  while (slot > 0) {
    std::size_t parent = (slot - 1) / kArity;
    if (!(e < entries_[parent])) break;
    place(slot, entries_[parent]);
    slot = parent;
  }
  place(slot, e);
}

void TimerHeap::sift_down(std::size_t slot, Entry e) noexcept {
  const std::size_t n = entries_.size();
  for (;;) {
    std::size_t first = slot * kArity + 1;
    if (first >= n) break;
    std::size_t last = first + kArity < n ? first + kArity : n;
    std::size_t best = first;
    for (std::size_t c = first + 1; c < last; ++c)
      if (entries_[c] < entries_[best]) best = c;
    if (!(entries_[best] < e)) break;
    place(slot, entries_[best]);
    slot = best;
  }
  place(slot, e);
}

}  // namespace lockstep::detail
