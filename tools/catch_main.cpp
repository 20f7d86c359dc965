// The one translation unit with Catch2's main: it takes ~30 s to compile, so
// it is built once as an object library and linked into every test binary.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
