#include "primitives/go.hpp"

#include "runtime/misuse.hpp"

namespace lockstep::detail {

void spawn_goroutine(Body&& body, std::string&& name, SourceLocation where) {
  Runtime* rt = current_runtime();
  rt->spawn(std::move(body), std::move(name), where);
  rt->preemption_point(where);
}

}  // namespace lockstep::detail
