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

std::size_t buried() noexcept {
  Graveyard& g = graveyard();
  std::lock_guard lock(g.mutex);
  return g.contexts.size();
}

}  // namespace lockstep::sim::detail
