// go: start a goroutine.
//
//   lockstep::go([ch] { ch.send(42); });
//   lockstep::go("poller", [&] { poll(); });     // the name shows in dumps
//
// In a simulation the goroutine is a fiber of that simulation; it is
// runnable at once and runs when the scheduler picks it (under FIFO: when the
// caller next blocks or yields). go() is a scheduling point: a fuzzing
// strategy may switch to the new fiber right away. The spawn site is recorded
// for dumps. An exception escaping `f` ends the simulation with the
// exception verdict, as a panic ends a Go program.
//
// Outside a simulation the goroutine runs on an OS thread (real-thread mode,
// docs/real-mode.md): a cached idle thread if there is one, else a new one.
// There an exception escaping `f` prints the exception with the goroutine's
// name and spawn site, then aborts the process, as a panic ends a Go
// program: return errors through an ErrGroup or a channel instead.
#pragma once

#include <string>
#include <type_traits>
#include <utility>

#include "runtime/seam.hpp"

namespace lockstep {

namespace detail {
void spawn_goroutine(Body&& body, std::string&& name, SourceLocation where);
}  // namespace detail

template <class F>
void go(std::string name, F&& f, SourceLocation where = SourceLocation::current()) {
  static_assert(std::is_invocable_v<std::decay_t<F>&>, "go(f): f must be callable with no arguments");
  // An empty std::function becomes an empty Body, which spawn rejects by name.
  detail::spawn_goroutine(detail::Body(std::forward<F>(f)), std::move(name), where);
}

template <class F>
void go(F&& f, SourceLocation where = SourceLocation::current()) {
  go(std::string{}, std::forward<F>(f), where);
}

}  // namespace lockstep
