// The Simulation's timers due at one virtual instant (a "tie"): Go fires
// such timers in no promised order (its timer heaps are per P, and which P
// runs its timers first is up to the scheduler), so a program whose outcome
// depends on that order is a real bug; here the order is a decision.
//
// The batch is every timer whose deadline is the instant time just moved to
// (TimerHeap pops equal deadlines in add order). It leaves the heap at once,
// then fires one timer at a time, each a choice among the ones left, in add
// order: decision 0 is the oldest, so fifo and a decision list of zeros fire
// in creation order, as before the order was a decision. A batch of one
// makes no decision. A timer of the batch stays pending (slot kTied) until it
// fires, so a callback that stops or resets it finds it through cancel_tied(),
// as if it were still in the heap. The batch is kept newest first, so FIFO's
// pick (the oldest) is a pop from the back: no tie costs more than linear
// time under FIFO.
#include <algorithm>

#include "sim/simulation.hpp"

namespace lockstep::sim::detail {

void Simulation::fire_due_timers() {
  in_timer_callback_ = true;
  while (!timers_.empty() && timers_.earliest() <= now_) {
    TimerNode& t = timers_.pop();
    if (!timers_.empty() && timers_.earliest() <= now_) {
      fire_tied_timers(t);
      break;  // callbacks fire a timer due now at once (add_timer): none is left
    }
    fire_timer(t);
  }
  in_timer_callback_ = false;
}

void Simulation::fire_tied_timers(TimerNode& first) {
  tied_.clear();
  tied_.push_back(&first);
  while (!timers_.empty() && timers_.earliest() <= now_) tied_.push_back(&timers_.pop());
  std::reverse(tied_.begin(), tied_.end());
  for (TimerNode* t : tied_) t->slot = TimerNode::kTied;
  while (!tied_.empty()) {
    std::size_t n = tied_.size();
    std::size_t at = n - 1 - choose(n, SourceLocation::current());  // decision 0: the oldest
    TimerNode& t = *tied_[at];
    tied_.erase(tied_.begin() + static_cast<std::ptrdiff_t>(at));
    t.slot = TimerNode::kNotPending;
    fire_timer(t);
  }
}

void Simulation::fire_timer(TimerNode& t) {
  if (log_ != nullptr) [[unlikely]]
    log_timer(t.seq);
  t.fire(t);
}

bool Simulation::cancel_tied(TimerNode& node) noexcept {
  tied_.erase(std::find(tied_.begin(), tied_.end(), &node));  // a kTied node is in tied_
  node.slot = TimerNode::kNotPending;
  return true;
}

}  // namespace lockstep::sim::detail
