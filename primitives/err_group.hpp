// ErrGroup: golang.org/x/sync/errgroup — goroutines working on subtasks of
// one task, the first error kept, an optional shared context cancelled by it,
// and an optional bound on how many run at once.
//
//   auto [group, ctx] = lockstep::ErrGroup::with_context(parent);
//   group.go([=] { courier = load_courier(ctx, id); });   // throws on error
//   group.go([=] { parcel = load_parcel(ctx, pid); });
//   if (lockstep::Error err = group.wait()) ...           // the first error
//
//   go(f)        runs f in a new goroutine. f() may return void (an escaping
//                exception is its error) or lockstep::Error (null: success).
//                A lockstep::Misuse escaping f is not an error but a bug: it
//                escapes the goroutine (in a simulation: the misuse verdict).
//                Blocks while the group is at its limit ("chan send" on the
//                group's token channel, as Go's errgroup does).
//   try_go(f)    starts f only if under the limit; false otherwise.
//   set_limit(n) at most n goroutines at once; n < 0 removes the limit.
//                Misuse while goroutines are active (Go panics too).
//   wait()       blocks until every goroutine returned ("sync.WaitGroup.Wait")
//                and returns the first error (null if none). Cancels the
//                group's context, if any.
// The first error also cancels the context from with_context(), with that
// error as its cause. ErrGroup is a handle: copies (e.g. captured by the
// goroutines) refer to the same group.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

#include "primitives/chan.hpp"
#include "primitives/context.hpp"
#include "primitives/go.hpp"
#include "primitives/wait_group.hpp"

namespace lockstep {

class ErrGroup {
 public:
  ErrGroup();
  static std::pair<ErrGroup, Context> with_context(const Context& parent);

  template <class F>
  void go(F&& f, SourceLocation where = SourceLocation::current()) const {
    acquire_slot(where);
    start(wrap(std::forward<F>(f)), where);
  }
  template <class F>
  bool try_go(F&& f, SourceLocation where = SourceLocation::current()) const {
    if (!try_acquire_slot(where)) return false;
    start(wrap(std::forward<F>(f)), where);
    return true;
  }
  void set_limit(int n, SourceLocation where = SourceLocation::current()) const;
  [[nodiscard]] Error wait(SourceLocation where = SourceLocation::current()) const;

 private:
  struct State;
  using Task = detail::UniqueFunction<Error()>;

  template <class F>
  static Task wrap(F&& f) {
    using R = std::invoke_result_t<std::decay_t<F>&>;
    static_assert(std::is_void_v<R> || std::is_same_v<R, Error>,
                  "ErrGroup::go(f): f must return void or lockstep::Error");
    if constexpr (std::is_void_v<R>) {
      return Task([f = std::forward<F>(f)]() mutable -> Error {
        f();
        return nullptr;
      });
    } else {
      return Task(std::forward<F>(f));
    }
  }
  void acquire_slot(SourceLocation where) const;
  bool try_acquire_slot(SourceLocation where) const;
  void start(Task task, SourceLocation where) const;

  std::shared_ptr<State> state_;
};

}  // namespace lockstep
