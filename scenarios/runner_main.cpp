// lockstep-scenarios: the command-line runner (see cli.hpp).
#include <iostream>

#include "scenarios/cli.hpp"

int main(int argc, char** argv) { return lockstep::scenarios::run_cli(argc, argv, std::cout, std::cerr); }
