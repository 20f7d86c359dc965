#include "primitives/err_group.hpp"

#include <fmt/format.h>

#include <optional>

#include "runtime/object_lock.hpp"
#include "runtime/race.hpp"

namespace lockstep {

struct ErrGroup::State {
  WaitGroup running;
  Chan<Empty> tokens;  // one per running goroutine; nil: no limit
  std::optional<CancelFunc> cancel;

  detail::ObjectLock lock;
  Error first_error;  // guarded by lock

  // record() keeps the first error and cancels the group's context with it.
  void record(const Error& e) {
    lock.lock();
    bool first = !first_error;
    if (first) first_error = e;
    lock.unlock();
    if (first && cancel) cancel->cancel_with(e);
  }
};

ErrGroup::ErrGroup() : state_([] {
  detail::RaceIgnore ignore;  // bookkeeping: the group's state (runtime/race.hpp)
  return std::make_shared<State>();
}()) {}

std::pair<ErrGroup, Context> ErrGroup::with_context(const Context& parent) {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  ErrGroup group;
  auto [ctx, cancel] = with_cancel_cause(parent);
  group.state_->cancel = cancel;
  return {group, ctx};
}

void ErrGroup::acquire_slot(SourceLocation where) const {
  if (!state_->tokens.is_nil()) state_->tokens.send(Empty{}, where);
}

bool ErrGroup::try_acquire_slot(SourceLocation where) const {
  return state_->tokens.is_nil() || state_->tokens.try_send(Empty{}, where);
}

void ErrGroup::start(Task task, SourceLocation where) const {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  std::shared_ptr<State> state = state_;
  state->running.add(1, where);
  // Runs when the goroutine ends, however it ends (even torn down by a
  // simulation): frees its slot, then counts it out.
  struct Finish {
    std::shared_ptr<State> state;
    SourceLocation where;
    ~Finish() {
      if (!state->tokens.is_nil()) state->tokens.try_recv(where);
      state->running.done(where);
    }
  };
  try {
    lockstep::go(
        [state, where, task = std::move(task)]() mutable {
          Finish finish{state, where};
          Error e;
          try {
            e = task();
          } catch (const detail::FiberCancelled&) {
            throw;
          } catch (const Misuse&) {
            throw;  // a bug, not an error: the run's misuse verdict
          } catch (...) {
            e = std::current_exception();
          }
          if (e) state->record(e);
        },
        where);
  } catch (...) {  // not started (go() failed): undo the bookkeeping
    Finish undo{state, where};
    throw;
  }
}

void ErrGroup::set_limit(int n, SourceLocation where) const {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  std::size_t active = state_->tokens.len();
  if (active != 0)
    detail::fail_misuse(
        fmt::format("errgroup: modify limit while {} goroutines in the group are still active", active),
        nullptr, where);
  state_->tokens = n < 0 ? Chan<Empty>() : Chan<Empty>(static_cast<std::size_t>(n));
}

Error ErrGroup::wait(SourceLocation where) const {
  detail::RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  state_->running.wait(where);
  if (state_->cancel) (*state_->cancel)();
  state_->lock.lock();
  Error e = state_->first_error;
  state_->lock.unlock();
  return e;
}

}  // namespace lockstep
