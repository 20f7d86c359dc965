#include "sim/graveyard.hpp"

#include <mutex>
#include <vector>

#include "runtime/sanitizer_hooks.hpp"

#if defined(LOCKSTEP_ASAN)
#include <sanitizer/lsan_interface.h>
#endif

namespace lockstep::sim::detail {
namespace {

struct Graveyard {
  std::mutex mutex;
  // Guarded by mutex. Never destroyed: a ~fiber would unwind the context.
  std::vector<boost::context::fiber> contexts;
  std::vector<lockstep::detail::Body> bodies;  // guarded by mutex; never destroyed
};

Graveyard& graveyard() {
  static auto* g = new Graveyard;  // reachable from here for the process's life
  return *g;
}

}  // namespace

void bury(boost::context::fiber&& context, const lockstep::detail::Stack& stack) noexcept {
  Graveyard& g = graveyard();
  std::lock_guard lock(g.mutex);
  g.contexts.push_back(std::move(context));  // out of memory here terminates: noexcept
#if defined(LOCKSTEP_ASAN)
  __lsan_register_root_region(stack.base, stack.size);
#else
  (void)stack;
#endif
}

void bury(lockstep::detail::Body&& body) noexcept {
  Graveyard& g = graveyard();
  std::lock_guard lock(g.mutex);
  g.bodies.push_back(std::move(body));  // out of memory here terminates: noexcept
}

std::size_t buried() noexcept {
  Graveyard& g = graveyard();
  std::lock_guard lock(g.mutex);
  return g.contexts.size() + g.bodies.size();
}

}  // namespace lockstep::sim::detail
