// EventSlices: the spans of an event log that its readers draw as bars (the
// trace export's "X" events, the HTML timeline's bars), followed event by
// event.
//
// A `run` opens its fiber's running slice; the next run, park, exit or the
// verdict closes it (one fiber runs at a time: at most one running slice is
// open). A `park` opens its fiber's blocked slice; the `ready` of that fiber
// closes it, or else the fiber's own next `run` (sim::wait() parks with no
// ready: the scheduler resumes the waiter itself). A blocked slice may still
// be open at the verdict (a fiber blocked for good); the reader decides
// where it ends, with close_blocked().
//
//   EventSlices slices;
//   for (std::size_t i = 0; i < events.size(); ++i)
//     slices.step(i, events[i], [&](std::size_t opened) { end[opened] = i; });
//
// Each `closed(opened)` call names a slice by the index of the event that
// opened it (a run or a park): that event's kind, fiber and time say which
// slice it is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/event_log.hpp"

namespace lockstep::sim::detail {

class EventSlices {
 public:
  // step() applies event `i`: calls closed(j) for each slice it ends (the
  // running slice first, then a blocked one), then opens the slice it starts.
  template <class Closed>
  void step(std::size_t i, const Event& e, Closed&& closed) {
    switch (e.kind) {
      case EventKind::run:
        close(running_, closed);
        close(blocked_of(e.fiber), closed);
        running_ = i;
        break;
      case EventKind::park:
        close(running_, closed);
        blocked_of(e.fiber) = i;
        break;
      case EventKind::ready: close(blocked_of(e.other), closed); break;
      case EventKind::exit:
      case EventKind::verdict: close(running_, closed); break;
      default: break;
    }
  }

  // close_blocked() ends every blocked slice still open, by fiber id.
  template <class Closed>
  void close_blocked(Closed&& closed) {
    for (auto& b : blocked_) close(b, closed);
  }
  // close_running() ends the running slice, if one is open.
  template <class Closed>
  void close_running(Closed&& closed) {
    close(running_, closed);
  }

 private:
  // kNone: no slice open. A sentinel, not std::optional: g++ 12 at -O2
  // misreports an optional's engaged value as maybe-uninitialized here.
  static constexpr std::size_t kNone = ~std::size_t{0};

  template <class Closed>
  static void close(std::size_t& open, Closed& closed) {
    if (open == kNone) return;
    std::size_t opened = open;
    open = kNone;
    closed(opened);
  }
  std::size_t& blocked_of(std::uint64_t fiber) {
    if (blocked_.size() <= fiber) blocked_.resize(fiber + 1, kNone);
    return blocked_[fiber];
  }

  std::size_t running_ = kNone;        // the open running slice's event
  std::vector<std::size_t> blocked_;  // by fiber id: its open blocked slice's event, or kNone
};

}  // namespace lockstep::sim::detail
