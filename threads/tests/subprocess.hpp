// run_child(): death tests of the real-thread mode run the dying program in a
// process of its own and read what it wrote to stderr.
//
//   auto child = run_child({LOCKSTEP_UNCAUGHT_HELPER});
//   CHECK(child.signal == SIGABRT);
//   CHECK_THAT(child.err, Catch::StartsWith("lockstep: uncaught exception"));
//
// The child inherits the environment, with `extra_env` ("NAME=value") added
// or overriding. If it has not exited after `give_up` it is killed and
// `timed_out` is set: that bound only turns a broken death test into a
// failure instead of a hang (and comes before the test watchdog's 60 s).
#pragma once

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

extern char** environ;

namespace lockstep::test {

struct ChildResult {
  int exit_code = -1;  // if it exited
  int signal = 0;      // if a signal ended it
  bool timed_out = false;
  std::string err;  // everything it wrote to stderr
};

inline ChildResult run_child(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {},
                             std::chrono::seconds give_up = std::chrono::seconds(30)) {
  ChildResult result;
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  auto overridden = [&](std::string_view inherited) {
    for (const auto& e : extra_env)
      if (inherited.substr(0, inherited.find('=')) == std::string_view(e).substr(0, e.find('='))) return true;
    return false;
  };
  for (char** e = environ; *e != nullptr; ++e)
    if (!overridden(*e)) env.push_back(*e);
  for (const auto& e : extra_env) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);

  int err[2];
  if (pipe(err) != 0) return result;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawn_file_actions_addclose(&actions, err[0]);
  pid_t pid = 0;
  int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  close(err[1]);
  if (spawned != 0) {
    close(err[0]);
    return result;
  }
  auto deadline = std::chrono::steady_clock::now() + give_up;
  char buffer[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd fd{err[0], POLLIN, 0};
    int ready = left.count() > 0 ? poll(&fd, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    ssize_t n = read(err[0], buffer, sizeof buffer);
    if (n <= 0) break;
    result.err.append(buffer, static_cast<std::size_t>(n));
  }
  close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

}  // namespace lockstep::test
