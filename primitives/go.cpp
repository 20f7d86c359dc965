#include "primitives/go.hpp"

#include "runtime/misuse.hpp"
#include "runtime/race.hpp"

namespace lockstep::detail {

void spawn_goroutine(Body&& body, std::string&& name, SourceLocation where) {
  RaceIgnore ignore;  // bookkeeping: allocations, refcounts (runtime/race.hpp)
  Runtime* rt = current_runtime();
  rt->spawn(std::move(body), std::move(name), where);
  rt->preemption_point(where);
}

}  // namespace lockstep::detail
