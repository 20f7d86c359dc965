// The simulation's fibers from spawn to exit: a spawn keeps the body in a
// table, the first run takes a stack and builds the context, the body runs,
// and the exit hands the stack back and switches on (sim/fiber.hpp).
#include <fmt/format.h>

#include <utility>

#include "runtime/misuse.hpp"
#include "sim/simulation.hpp"

namespace lockstep::sim::detail {

namespace ctx = boost::context;
using lockstep::detail::FiberCancelled;
using lockstep::detail::RaceIgnore;
using lockstep::detail::RaceUserCode;

namespace {

// Main's body runs this far below the top of its stack. What runs on main's
// stack after the body returned or threw (its closure's destructors, the
// verdict of an exception, the exit) stays in this reserve, above the body's
// frame, so main's locals keep their bytes for fibers that outlive them.
#if defined(LOCKSTEP_ASAN)
constexpr std::size_t kMainExitReserve = 64 * 1024;  // ASan's frames are larger
#else
constexpr std::size_t kMainExitReserve = 16 * 1024;
#endif

// The table of bodies waiting for a first run keeps its memory up to this
// many slots (1 MiB) once they are all free again (take_body()).
constexpr std::size_t kBodiesKept = 16384;

// Not instrumented by ASan or TSan: their epilogues would call into their
// runtimes (to unpoison the alloca, to pop the shadow stack) from below the
// reserve, over the body's frame.
[[gnu::noinline, gnu::no_sanitize_address, gnu::no_sanitize_thread]] void call_below_reserve(
    lockstep::detail::Body& body) {
  void* volatile reserve = __builtin_alloca(kMainExitReserve);
  (void)reserve;
  body();
}

}  // namespace

Fiber& Simulation::new_fiber(Body&& body, std::string&& name, SourceLocation site, bool is_main) {
  Fiber* f;
  if (!free_fibers_.empty()) {
    f = free_fibers_.back();
    free_fibers_.pop_back();
  } else {
    f = &fiber_storage_.emplace_back();
  }
  f->id = next_id_++;
  // Not a move-assignment: into a reused record's heap name it swaps buffers,
  // and the caller of go() would free the old name, allocated by another
  // fiber: a write the race detector orders with nothing. Here (under the
  // caller's RaceIgnore) the old buffer is freed unseen.
  std::string(std::move(name)).swap(f->name);
  f->spawned_at = site;
  f->site = site;
  f->state = FiberState::runnable;
  f->cancel = f->exited = f->hold_stack = false;
  f->eh = {};
  f->race_depth = 0;
  f->priority = fifo_ ? 0 : decider_->on_spawn(f->id);
  bool from_fiber = current_ != &home_ && !in_timer_callback_;
  f->spawner = from_fiber ? current_ : nullptr;
  f->spawner_id = from_fiber ? current_->id : 0;
  f->stack = {};
  // TSan's state is made here, not at the first run: TSan orders a new
  // state after its creator's past, which must be the spawner's.
  f->tsan = tsan_create();
  if (lockstep::detail::kRaceDetector) race_name_fiber(f->tsan, lockstep::detail::describe_task(*f));
  try {
    f->body_slot = store_body(std::move(body));
    if (is_main) make_context(*f, true);  // main starts at once: run() jumps to it
  } catch (...) {
    if (f->body_slot != Fiber::kNoBody) take_body(*f);
    tsan_destroy(std::exchange(f->tsan, nullptr));
    free_fibers_.push_back(f);
    throw;
  }
  f->prev_live = live_tail_;
  f->next_live = nullptr;
  (live_tail_ != nullptr ? live_tail_->next_live : live_head_) = f;
  live_tail_ = f;
  if (++live_count_ > peak_) peak_ = live_count_;
  run_queue_.push_back(f);
  if (log_ != nullptr) [[unlikely]]
    log_spawn(*f);
  lockstep::detail::race_release(f);  // `go` happens before the fiber starts
  return *f;
}

void Simulation::make_context(Fiber& f, bool is_main) {
  std::size_t size = options_.stack_size + (is_main ? kMainExitReserve : 0);
  f.stack = StackPool::local().acquire(size, options_.guard_pages);
  if (lockstep::detail::kRaceDetector) race_fresh_stack(f.stack.base, f.stack.size);
  f.asan = AsanStack{f.stack.base, f.stack.size, nullptr};
  Fiber* fp = &f;
  tsan_constructing(f.tsan, [&] {
    auto release = [this, fp](Stack s) noexcept { release_stack(*fp, s); };
    f.context = ctx::fiber(std::allocator_arg, lockstep::detail::PooledStackAllocator{f.stack, release},
                           [this, fp, body = take_body(f)](ctx::fiber&& from) mutable {
                             resumed(std::move(from));  // first: it may announce this fiber to TSan
                             lockstep::detail::race_ignore_begin();  // ends in finish()
                             lockstep::detail::race_acquire(fp);
                             run_body(*fp, body);
                             return finish(*fp);
                           });
  });
}

// start_fiber() gives a fiber that never ran its stack and context, as the
// first switch into it is about to jump. Without memory for a stack, the run
// ends (exception verdict, naming the fiber) and the fiber is dropped: it
// leaves the live list unrun, its closure destroyed on the caller's stack.
bool Simulation::start_fiber(Fiber& f) noexcept {
  try {
    make_context(f, false);
    return true;
  } catch (const std::exception& e) {  // from StackPool::acquire(), before anything changed
    exception_ = std::current_exception();
    end_run(Verdict::exception,
            fmt::format("exception in {}: no stack for its first run: {}", fiber_text(f), e.what()));
  }
  (f.prev_live != nullptr ? f.prev_live->next_live : live_head_) = f.next_live;
  (f.next_live != nullptr ? f.next_live->prev_live : live_tail_) = f.prev_live;
  --live_count_;
  take_body(f);
  reclaim(f);
  return false;
}

std::uint32_t Simulation::store_body(Body&& body) {
  if (free_bodies_.empty()) {
    bodies_.emplace_back();
    free_bodies_.reserve(bodies_.capacity());
    free_bodies_.push_back(static_cast<std::uint32_t>(bodies_.size() - 1));
  }
  std::uint32_t slot = free_bodies_.back();
  free_bodies_.pop_back();
  bodies_[slot] = std::move(body);
  return slot;
}

Body Simulation::take_body(Fiber& f) noexcept {
  Body body = std::move(bodies_[f.body_slot]);
  free_bodies_.push_back(std::exchange(f.body_slot, Fiber::kNoBody));  // within its capacity
  // A large table with every slot free (a burst of spawns has started)
  // goes back to the allocator: its pages would add to every parked fiber's
  // resident cost. Small ones stay, for the next wave.
  if (free_bodies_.size() == bodies_.size() && bodies_.size() > kBodiesKept) {
    bodies_ = std::vector<Body>();
    free_bodies_ = std::vector<std::uint32_t>();
  }
  return body;
}

// first_run() is where switch_to() jumps to instead of a fiber that never
// ran: that fiber, started; if it cannot start, the run has ended, and a
// fiber goes home (to be torn down from there) while home stays (null).
Fiber* Simulation::first_run(Fiber& next) noexcept {
  if (start_fiber(next)) return &next;
  return current_ != &home_ ? &home_ : nullptr;
}

void Simulation::run_body(Fiber& f, Body& body) noexcept {
  if (!f.cancel) {
    try {
      RaceUserCode user;
      if (&f == main_)
        call_below_reserve(body);
      else
        body();
    } catch (const FiberCancelled&) {
    } catch (const Misuse& e) {
      exception_ = std::current_exception();
      end_run(Verdict::misuse, fmt::format("misuse in {}: {}", fiber_text(f), e.what()), &f);
    } catch (const std::exception& e) {
      exception_ = std::current_exception();
      end_run(Verdict::exception, fmt::format("exception in {}: {}", fiber_text(f), e.what()), &f);
    } catch (...) {
      exception_ = std::current_exception();
      end_run(Verdict::exception, fmt::format("exception in {}: non-standard exception", fiber_text(f)),
              &f);
    }
  }
  body = Body{};  // the closure's destructors run here, while the fiber is current
}

ctx::fiber Simulation::finish(Fiber& f) noexcept {
  if (race_pending()) [[unlikely]]  // the racy access was the fiber's last act
    end_run(Verdict::race, take_race(), &f);
  lockstep::detail::race_release(this);  // run() returns after every exit
  f.exited = true;
  (f.prev_live != nullptr ? f.prev_live->next_live : live_head_) = f.next_live;
  (f.next_live != nullptr ? f.next_live->prev_live : live_tail_) = f.prev_live;
  --live_count_;
  steps_.store(steps_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  if (log_ != nullptr) [[unlikely]]
    log_exit(f);
  if (&f == main_) {
    main_exited_ = true;
    if (live_count_ > 0) {
      // Fibers that may refer to main's locals live on: keep main's stack
      // as it is (no pick_next() on it; the pool takes it back after the
      // run), and let home schedule.
      f.hold_stack = true;
      lockstep::detail::race_ignore_end();  // TSan's fiber must end with no ignores
      hand_over(f, home_, false);
      return std::move(home_.context);
    }
  }
  Fiber* next = &pick_next();
  // One that never ran takes its stack now; if it cannot, the run ended, and
  // pick_next() returns home.
  if (!next->context && !start_fiber(*next)) next = &pick_next();
  lockstep::detail::race_ignore_end();  // TSan's fiber must end with no ignores
  hand_over(f, *next);
  return std::move(next->context);  // Boost jumps there and frees f's stack
}

void Simulation::release_stack(Fiber& f, const Stack& stack) noexcept {
  // Runs as the fiber's last act, on the next stack but in the exited
  // fiber's TSan state (announced on arrival, resumed()): bookkeeping.
  RaceIgnore ignore;
  if (f.hold_stack)
    held_stack_ = stack;
  else
    StackPool::local().release(stack);
}

void Simulation::reclaim(Fiber& f) noexcept {
  tsan_destroy(f.tsan);
  f.tsan = nullptr;
  f.wait = {};
  free_fibers_.push_back(&f);
}

}  // namespace lockstep::sim::detail
