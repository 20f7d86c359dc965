#include "primitives/sleep.hpp"

#include "runtime/seam.hpp"

namespace lockstep {
namespace {

struct SleepTimer : detail::TimerNode {
  detail::Runtime* runtime = nullptr;
  detail::Task* task = nullptr;
};

void wake_sleeper(detail::TimerNode& node) {
  auto& timer = static_cast<SleepTimer&>(node);
  timer.runtime->ready(*timer.task);
}

}  // namespace

void sleep(Duration timeout, SourceLocation where) {
  detail::Runtime* rt = detail::current_runtime();
  TimePoint now = rt->now();
  // Saturate instead of overflowing: sleep(Duration::max()) means forever.
  TimePoint deadline = timeout > TimePoint::max() - now ? TimePoint::max() : now + timeout;
  sleep_until(deadline, where);
}

void sleep_until(TimePoint deadline, SourceLocation where) {
  detail::Runtime* rt = detail::current_runtime();
  if (deadline <= rt->now()) {
    rt->preemption_point(where);
    return;
  }
  SleepTimer timer;
  timer.when = deadline;
  timer.fire = &wake_sleeper;
  timer.runtime = rt;
  timer.task = &rt->current();
  rt->add_timer(timer);
  // Torn down while asleep, park() throws, and cancels the timer first
  // (WaitSite::leave): no cleanup here, so the unwinder passes this frame
  // without stopping. A destructor cost a second pass over the stack per
  // torn-down sleeper; a catch-and-rethrow, a second search.
  auto leave = [&] { rt->cancel_timer(timer); };
  rt->park(detail::WaitSite{"sleep", nullptr, where, detail::leave_with(leave)});
}

void yield(SourceLocation where) {
  detail::current_runtime()->yield(where);
}

}  // namespace lockstep
