// The one translation unit with Catch2's main: it takes ~30 s to compile, so
// it is built once as an object library and linked into every test binary.
//
// A test filter that matches nothing fails the run (status 2, "No test cases
// matched ..."). Catch2 v2 exits 0 on it by default, so a test name passed by
// hand that Catch splits at a comma (`./t "a, b"` is the filters "a" and "b")
// ran nothing and "passed". This is `--warn NoTests`, always on. To run a
// test whose name has a comma, escape it as ctest does: `./t "a\, b"`.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

int main(int argc, char* argv[]) {
  Catch::Session session;
  if (int status = session.applyCommandLine(argc, argv); status != 0) return status;
  Catch::ConfigData& config = session.configData();
  config.warnings = static_cast<Catch::WarnAbout::What>(config.warnings | Catch::WarnAbout::NoTests);
  return session.run();
}
