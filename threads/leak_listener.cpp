// A Catch2 listener that fails any test whose goroutines outlive it: a leak
// check for every test of a binary, on real threads (goleak's VerifyNone in
// TestMain). Opt in by linking the object library lockstep::leak_listener
// into a Catch2 v2 test binary:
//
//   target_link_libraries(my_tests PRIVATE lockstep::leak_listener ...)
//
// Each test case run (each leaf section) records the live goroutines when it
// starts; when it ends, the listener waits up to LOCKSTEP_LEAK_TIMEOUT_MS
// (default 2000) for the count to come back, and otherwise fails the test with
// the grouped goroutine dump. Simulations need none of this (their leak
// verdict is exact); a test that leaks on purpose opts out, locally, with the
// tag [lockstep-allow-leaks].
// Catch2 v2 declares its listener interface only on request.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>

#include "lockstep.hpp"

namespace lockstep {
namespace {

std::chrono::milliseconds leak_timeout() {
  const char* env = std::getenv("LOCKSTEP_LEAK_TIMEOUT_MS");
  if (env == nullptr || *env == '\0') return std::chrono::milliseconds(2000);
  return std::chrono::milliseconds(std::strtoll(env, nullptr, 10));
}

class LeakListener : public Catch::TestEventListenerBase {
 public:
  using TestEventListenerBase::TestEventListenerBase;

  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    allowed_ = info.tagsAsString().find("[lockstep-allow-leaks]") != std::string::npos;
  }

  // The outermost section is the test case itself, once per leaf section.
  void sectionStarting(const Catch::SectionInfo& info) override {
    if (depth_++ == 0 && !allowed_)
      check_.emplace(SourceLocation(info.lineInfo.file, static_cast<std::uint32_t>(info.lineInfo.line)));
  }

  void sectionEnded(const Catch::SectionStats&) override {
    if (--depth_ != 0 || !check_) return;
    std::optional<LeakCheck> check = std::move(check_);
    check_.reset();
    try {
      check->verify(leak_timeout());
    } catch (const GoroutineLeak& e) {
      // Still inside the test case's run: the failure counts against it.
      FAIL_CHECK(e.what());
    }
  }

 private:
  int depth_ = 0;
  bool allowed_ = false;
  std::optional<LeakCheck> check_;
};

}  // namespace

CATCH_REGISTER_LISTENER(LeakListener)

}  // namespace lockstep
