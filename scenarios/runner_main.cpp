// lockstep-scenarios: the command-line runner (see cli.hpp).
#include <cstdio>
#include <iostream>
#include <new>

#include "scenarios/cli.hpp"

int main(int argc, char** argv) {
  // run_cli() turns every exception into its one line and status 2; this
  // guards what it cannot: an exception while writing that line (std::bad_alloc
  // formatting it). These lines allocate nothing.
  try {
    return lockstep::scenarios::run_cli(argc, argv, std::cout, std::cerr);
  } catch (const std::bad_alloc&) {
    std::fputs("lockstep-scenarios: out of memory while reporting an error\n", stderr);
  } catch (...) {
    std::fputs("lockstep-scenarios: an exception while reporting an error\n", stderr);
  }
  return lockstep::scenarios::kExitUsage;
}
