// Graveyard: where a simulation puts the fibers its teardown leaves in place.
//
// A fiber is left in place, not unwound, when unwinding it could touch memory
// that is gone: it was spawned by a fiber that returned before it (its
// closure may refer to that frame), or, while being torn down, it misused a
// primitive or blocked in a destructor. Go does the same with a leaked
// goroutine: it stays where it is, with everything it references.
//
// So its suspended context and its stack are kept for the life of the
// process: never resumed, never unwound, never unmapped or reused. Whatever
// its frames own (heap blocks, channels) stays allocated too (a fiber that
// never ran leaves its closure only); under
// LeakSanitizer each stack is a root region, so that memory is reachable, not
// reported as leaked. The cost is the fiber's resident stack pages (usually
// one or two) plus what it owns, per fiber left in place.
//
// Thread-safe: simulations on several threads may bury at once.
#pragma once

#include <boost/context/fiber.hpp>

#include <cstddef>

#include "runtime/seam.hpp"
#include "runtime/stack_pool.hpp"

namespace lockstep::sim::detail {

// bury() keeps `context` (a suspended fiber) and its `stack` forever.
void bury(boost::context::fiber&& context, const lockstep::detail::Stack& stack) noexcept;
// bury(body) keeps the closure of a fiber that never ran (it has no stack
// yet) forever: never called, never destroyed.
void bury(lockstep::detail::Body&& body) noexcept;

// buried() counts the fibers buried in this process.
std::size_t buried() noexcept;

}  // namespace lockstep::sim::detail
