// real_runtime(): which runtime runs code outside a simulation.
//
// LOCKSTEP_RUNTIME picks it once, at first use: "mn" (the default), the M:N
// runtime on LOCKSTEP_PROCS workers (default: the number of CPUs); "threads",
// one OS thread per goroutine (for code that needs thread_local storage per
// goroutine). A bad value is an error that ends the process: there is no
// runtime to run on.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "mn/mn_runtime.hpp"
#include "threads/thread_runtime.hpp"

namespace lockstep::detail {
namespace {

[[noreturn]] void bad_environment(const char* name, const char* value, const char* expected) {
  std::fprintf(stderr, "lockstep: %s=%s: expected %s\n", name, value, expected);
  std::exit(2);
}

unsigned procs_from_environment() {
  const char* env = std::getenv("LOCKSTEP_PROCS");
  if (env == nullptr || *env == '\0') {
    unsigned cpus = std::thread::hardware_concurrency();
    if (cpus == 0) cpus = 1;
    return cpus < mn::detail::MnRuntime::kProcsMax ? cpus : mn::detail::MnRuntime::kProcsMax;
  }
  char* end = nullptr;
  unsigned long n = std::strtoul(env, &end, 10);
  if (*end != '\0' || env[0] == '-' || n < 1 || n > mn::detail::MnRuntime::kProcsMax)
    bad_environment("LOCKSTEP_PROCS", env, "a number of worker threads from 1 to 64");
  return static_cast<unsigned>(n);
}

Runtime* make_real_runtime() {
  const char* env = std::getenv("LOCKSTEP_RUNTIME");
  if (env == nullptr || *env == '\0' || std::strcmp(env, "mn") == 0)
    return new mn::detail::MnRuntime(procs_from_environment());  // never destroyed
  if (std::strcmp(env, "threads") == 0) return &threads::detail::ThreadRuntime::instance();
  bad_environment("LOCKSTEP_RUNTIME", env, "mn (the default) or threads");
}

}  // namespace

Runtime& real_runtime() noexcept {
  static Runtime* runtime = [] {
    Runtime* rt = make_real_runtime();
    real_runtime_.store(rt, std::memory_order_release);
    return rt;
  }();
  return *runtime;
}

}  // namespace lockstep::detail
