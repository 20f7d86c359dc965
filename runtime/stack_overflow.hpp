// Stack overflow: how a runtime that runs tasks on pooled fiber stacks (a
// simulation, the M:N runtime) tells that a task ran out of stack, and the
// one line it prints before the process aborts:
//
//   lockstep: stack overflow in goroutine 7 "parser" (spawned at p.cpp:12): it used all of its 64 KiB stack; raise LOCKSTEP_STACK_KIB
//
// Two ways to find out: the SIGSEGV handler asks (the guard page below a
// guarded stack was hit, overflows()), or a switch checks the canary at the
// bottom of the stack and the frame it switches from (check_canary()).
// Async-signal-safe: snprintf into a caller's buffer, write(2).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "runtime/seam.hpp"
#include "runtime/stack_pool.hpp"

namespace lockstep::detail {

// overflows() is true if a fault at `fault` (SIGSEGV's address) means the
// task on `stack` ran out of it: a fault just below the stack (the guard page,
// or a frame that jumped past it), or a damaged canary.
inline bool overflows(const Stack& stack, const void* fault) noexcept {
  if (stack.base == nullptr) return false;
  auto addr = reinterpret_cast<std::uintptr_t>(fault);
  auto base = reinterpret_cast<std::uintptr_t>(stack.base);
  bool below = addr < base + kCanaryBytes && addr + 64 * 1024 >= base;
  return below || !canary_intact(stack);
}

// describe_overflow() writes the line for `task` on `stack`: it hit the
// guard page (`canary` false) or damaged the canary; `remedy` is what to
// raise.
inline void describe_overflow(char* buffer, std::size_t size, const Task& task, const Stack& stack, bool canary,
                              const char* remedy) noexcept {
  std::snprintf(buffer, size,
                canary ? "lockstep: stack overflow in %s %llu \"%s\" (spawned at %s:%u): its %zu KiB stack's "
                         "canary was overwritten; raise %s\n"
                       : "lockstep: stack overflow in %s %llu \"%s\" (spawned at %s:%u): it used all of its %zu "
                         "KiB stack; raise %s\n",
                task.kind, static_cast<unsigned long long>(task.id), task.name.c_str(), task.spawned_at.file_name(),
                task.spawned_at.line(), stack.size / 1024, remedy);
}

// die_of_overflow() prints describe_overflow()'s line for a damaged canary
// and aborts.
[[noreturn, gnu::noinline, gnu::cold]] inline void die_of_overflow(const Task& task, const Stack& stack,
                                                                   const char* remedy) noexcept {
  char text[512];
  describe_overflow(text, sizeof text, task, stack, true, remedy);
  ssize_t ignored = write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
  std::abort();
}

// check_canary() runs on the task's stack as it switches out: a frame inside
// the canary region, or a damaged canary, means the task overflowed.
inline void check_canary(const Task& task, const Stack& stack, const char* remedy) noexcept {
  if (stack.base == nullptr) return;
  auto* frame = static_cast<unsigned char*>(__builtin_frame_address(0));
  if (frame < stack.base + kCanaryBytes || !canary_intact(stack)) [[unlikely]]
    die_of_overflow(task, stack, remedy);
}

}  // namespace lockstep::detail
