// run_helper(): runs threads/tests/uncaught_goroutine.cpp's program (whose
// goroutine ends the process on purpose) and returns how it ended and what
// it wrote to stderr, for the tests that check those last words.
#pragma once

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

extern char** environ;

namespace lockstep::test {

struct HelperExit {
  int status = 0;  // as waitpid() reports it
  std::string err;
};

// `env` entries ("NAME=value") are added to the helper's environment,
// replacing inherited ones of the same name.
inline HelperExit run_helper(const char* mode = nullptr, std::vector<std::string> env = {}) {
  int err[2];
  REQUIRE(pipe(err) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawn_file_actions_addclose(&actions, err[0]);
  char path[] = LOCKSTEP_UNCAUGHT_HELPER;
  std::string arg = mode != nullptr ? mode : "";
  char* argv[] = {path, mode != nullptr ? arg.data() : nullptr, nullptr};
  std::vector<char*> envp;  // the added entries replace inherited ones of the same name
  auto overridden = [&](const char* entry) {
    for (const std::string& e : env)
      if (std::string_view(entry).substr(0, e.find('=') + 1) == std::string_view(e).substr(0, e.find('=') + 1))
        return true;
    return false;
  };
  for (char** e = environ; *e != nullptr; ++e)
    if (!overridden(*e)) envp.push_back(*e);
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, path, &actions, nullptr, argv, envp.data()) == 0);
  posix_spawn_file_actions_destroy(&actions);
  close(err[1]);
  HelperExit out;
  char buffer[4096];
  for (ssize_t n; (n = read(err[0], buffer, sizeof buffer)) > 0;) out.err.append(buffer, static_cast<std::size_t>(n));
  close(err[0]);
  REQUIRE(waitpid(pid, &out.status, 0) == pid);
  return out;
}

}  // namespace lockstep::test
