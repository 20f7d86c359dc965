// Catch2's main, in its own file: it is the slowest file to compile, and
// this way it is compiled once, not with every change to a test.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
