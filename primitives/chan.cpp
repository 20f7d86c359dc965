#include "primitives/chan.hpp"

namespace lockstep::detail {

void park_nil(const char* reason, SourceLocation where) {
  Runtime& rt = *current_runtime();
  for (;;) rt.park(WaitSite{reason, nullptr, where});  // nobody ever readies it
}

void fail_nil_close(SourceLocation where) { fail_misuse("close of nil channel", nullptr, where); }

}  // namespace lockstep::detail
