// courier-dispatch end to end, on real threads: the test starts the program
// (posix_spawn, its stdout on a pipe), reads the port from its first line,
// asks both endpoints with httplib's client, and stops it with SIGTERM.
// Nothing here sleeps: every wait is for a line, an end of file or the
// process's exit (poll() on the pipe and on a pidfd), each bounded by a
// deadline, so a hang fails the test instead of hanging it. Only what is
// deterministic is asserted: the count is read once the program says its
// load's goroutines ended (then it must equal the baseline); what a query
// during the load sees depends on timing and is only checked for form.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <fmt/format.h>
#include <httplib.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

extern char** environ;

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr auto kDeadline = std::chrono::seconds(60);

int ms_until(SteadyClock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// Program: a running courier-dispatch; its stdout (and stderr, if merged) on
// a pipe. The destructor kills and reaps it if the test ended early.
class Program {
 public:
  explicit Program(const std::vector<std::string>& args, bool merge_stderr = false) {
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    if (merge_stderr) posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    std::vector<std::string> all{COURIER_DISPATCH};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid_, COURIER_DISPATCH, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    out_ = fds[0];
    REQUIRE(rc == 0);
    pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd_ < 0) {  // the destructor will not run: stop the program here
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      close(out_);
    }
    REQUIRE(pidfd_ >= 0);
  }
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;
  ~Program() {
    if (!reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(out_);
    close(pidfd_);
  }

  // read_line() is the next line of output, or nullopt at its end or at the deadline.
  std::optional<std::string> read_line(SteadyClock::time_point deadline) {
    for (;;) {
      if (auto nl = buffered_.find('\n'); nl != std::string::npos) {
        std::string line = buffered_.substr(0, nl);
        buffered_.erase(0, nl + 1);
        return line;
      }
      if (!read_some(deadline)) return std::nullopt;
    }
  }
  // read_until() reads lines until one starts with `prefix` and returns it.
  std::optional<std::string> read_until(const std::string& prefix, SteadyClock::time_point deadline) {
    while (auto line = read_line(deadline)) {
      seen_ += *line + "\n";
      if (line->rfind(prefix, 0) == 0) return line;
    }
    return std::nullopt;
  }
  // read_rest() is all output left, up to its end (or the deadline).
  std::string read_rest(SteadyClock::time_point deadline) {
    while (read_some(deadline)) {
    }
    seen_ += buffered_;
    buffered_.clear();
    return seen_;
  }
  void signal(int sig) { REQUIRE(kill(pid_, sig) == 0); }
  // wait_exit() is the exit status, or -1 if it was killed by a signal or
  // has not exited by the deadline.
  int wait_exit(SteadyClock::time_point deadline) {
    pollfd p{pidfd_, POLLIN, 0};
    if (poll(&p, 1, ms_until(deadline)) != 1) return -1;
    int status = 0;
    REQUIRE(waitpid(pid_, &status, 0) == pid_);
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  bool read_some(SteadyClock::time_point deadline) {
    pollfd p{out_, POLLIN, 0};
    if (poll(&p, 1, ms_until(deadline)) != 1) return false;
    char buf[4096];
    ssize_t n = read(out_, buf, sizeof buf);
    if (n <= 0) return false;
    buffered_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int out_ = -1;
  int pidfd_ = -1;
  bool reaped_ = false;
  std::string buffered_;
  std::string seen_;  // the lines read_until() went through
};

struct Health {
  long goroutines = -1, baseline = -1, peak = -1;
  std::string load;
};

// health() asks /health/goroutines and parses its one line of JSON, which
// must read back exactly. (No std::regex here: g++ 12 warns inside it under
// ASan, and the build treats warnings as errors.)
Health health(httplib::Client& http) {
  auto res = http.Get("/health/goroutines");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == "application/json");
  Health h;
  char load[16] = {};
  INFO(res->body);
  REQUIRE(std::sscanf(res->body.c_str(), R"({"goroutines": %ld, "baseline": %ld, "peak": %ld, "load": "%15[a-z]"})",
                      &h.goroutines, &h.baseline, &h.peak, load) == 4);
  h.load = load;
  CHECK((h.load == "running" || h.load == "done"));
  CHECK(res->body == fmt::format("{{\"goroutines\": {}, \"baseline\": {}, \"peak\": {}, \"load\": \"{}\"}}\n",
                                 h.goroutines, h.baseline, h.peak, h.load));
  return h;
}

// line_from() is the text of `out` from the line that starts with `prefix`.
const char* line_from(const std::string& out, const std::string& prefix) {
  auto at = out.find("\n" + prefix);
  REQUIRE(at != std::string::npos);
  return out.c_str() + at + 1;
}

int port_of(const std::optional<std::string>& first_line) {
  REQUIRE(first_line);
  const std::string prefix = "listening on 127.0.0.1:";
  REQUIRE(first_line->rfind(prefix, 0) == 0);
  return std::stoi(first_line->substr(prefix.size()));
}

// terminate() sends SIGTERM and returns all the program's output, once it
// has exited 0 after saying so.
std::string terminate(Program& p, SteadyClock::time_point deadline) {
  p.signal(SIGTERM);
  std::string out = p.read_rest(deadline);
  INFO(out);
  CHECK(p.wait_exit(deadline) == 0);
  CHECK(out.find("\nstopped by SIGTERM\n") != std::string::npos);
  return out;
}

}  // namespace

TEST_CASE("courier-dispatch: serves the load, answers both endpoints, and its goroutines return to the baseline", "[dispatch-server][real]") {
  auto deadline = SteadyClock::now() + kDeadline;
  Program p({"--port", "0", "--requests", "200", "--concurrency", "8", "--latency-scale", "0.05",
             "--hold-seconds", "120"});
  int port = port_of(p.read_line(deadline));
  httplib::Client http("127.0.0.1", port);
  http.set_connection_timeout(5, 0);
  http.set_read_timeout(10, 0);

  // During the load (or just after): the endpoints answer, in form.
  Health during = health(http);
  CHECK(during.baseline == 0);
  auto early_dump = http.Get("/debug/goroutines");
  REQUIRE(early_dump);
  CHECK(early_dump->status == 200);
  CHECK(early_dump->body.rfind("goroutine dump at ", 0) == 0);

  // The program prints this line once its load's goroutines all ended.
  REQUIRE(p.read_until("goroutines back to baseline 0", deadline));
  Health after = health(http);
  CHECK(after.load == "done");
  CHECK(after.goroutines == after.baseline);
  CHECK(after.peak > after.baseline);  // sampled while the service ran
  UNSCOPED_INFO("during the load, /health/goroutines saw " << during.goroutines << " (" << during.load << ")");

  auto dump = http.Get("/debug/goroutines");
  REQUIRE(dump);
  CHECK(dump->status == 200);
  CHECK(dump->get_header_value("Content-Type") == "text/plain");
  INFO(dump->body);
  CHECK(dump->body.rfind("goroutine dump at ", 0) == 0);
  CHECK(dump->body.find("\n  goroutine ") == std::string::npos);  // threads only, if any

  std::string out = terminate(p, deadline);
  INFO(out);
  int answered = 0, asked = 0;
  long assigned = -1, failed = -1, timed_out = -1, cancelled = -1;
  REQUIRE(std::sscanf(line_from(out, "served "),
                      "served %d of %d requests in %*s %ld assigned, %ld failed, %ld timed out, %ld cancelled",
                      &answered, &asked, &assigned, &failed, &timed_out, &cancelled) == 6);
  CHECK(answered == 200);
  CHECK(asked == 200);
  CHECK(assigned + failed + timed_out == 200);
  CHECK(cancelled == 0);  // nothing stopped the load
  long peak = -1;
  int limit = 0;
  REQUIRE(std::sscanf(line_from(out, "peak goroutines "), "peak goroutines %*d, peak request goroutines %ld (limit %d)",
                      &peak, &limit) == 2);
  CHECK(limit == 8);
  CHECK(peak >= 1);
  CHECK(peak <= 8);  // backpressure holds on real threads too
}

TEST_CASE("courier-dispatch: 12000 requests in flight at once, counted over HTTP", "[dispatch-server][real][mn]") {
  // Proves the M:N runtime carries the service at a Go service's scale: with
  // every lookup healthy but slow (2 s at latency scale 100: sending the
  // 12000 took over 1 s under ASan on a busy machine), more than
  // 10000 of the 12000 requests are in flight together, /health/goroutines
  // reports more than 10000 live goroutines while they are, and all end.
  if (const char* rt = std::getenv("LOCKSTEP_RUNTIME"); rt != nullptr && std::string(rt) == "threads") {
    WARN("skipped: 36000 goroutines would be 36000 threads on the thread runtime");
    return;
  }
  auto deadline = SteadyClock::now() + kDeadline;
  Program p({"--port", "0", "--requests", "12000", "--concurrency", "12000", "--latency-scale", "100",
             "--no-faults", "--hold-seconds", "120"});
  int port = port_of(p.read_line(deadline));
  httplib::Client http("127.0.0.1", port);
  http.set_connection_timeout(5, 0);
  http.set_read_timeout(10, 0);
  long most = 0;
  for (Health h = health(http); h.load == "running" && SteadyClock::now() < deadline; h = health(http))
    most = std::max(most, h.goroutines);
  CHECK(most > 10000);
  REQUIRE(p.read_until("goroutines back to baseline 0", deadline));
  CHECK(health(http).goroutines == 0);
  std::string out = terminate(p, deadline);
  INFO(out);
  long peak = -1;
  int limit = 0;
  REQUIRE(std::sscanf(line_from(out, "peak goroutines "), "peak goroutines %*d, peak request goroutines %ld (limit %d)",
                      &peak, &limit) == 2);
  CHECK(limit == 12000);
  CHECK(peak > 10000);  // the unknown couriers (one in ten) fail at once
}

TEST_CASE("courier-dispatch: SIGTERM during the load cancels it and exits 0", "[dispatch-server][real]") {
  // A million requests at 4 in flight need at least 20ms x 250,000 = 83
  // minutes: the signal, sent once the load started, comes before its end.
  auto deadline = SteadyClock::now() + kDeadline;
  Program p({"--requests", "1000000", "--concurrency", "4", "--hold-seconds", "120"});
  port_of(p.read_line(deadline));
  REQUIRE(p.read_until("load: 1000000 requests", deadline));
  std::string out = terminate(p, deadline);
  INFO(out);
  int answered = -1, asked = 0;
  REQUIRE(std::sscanf(line_from(out, "served "), "served %d of %d requests", &answered, &asked) == 2);
  CHECK(asked == 1000000);
  CHECK(answered < 1000000);
  CHECK(out.find("goroutines back to baseline 0\n") != std::string::npos);
  CHECK(out.find("serving /health") == std::string::npos);  // no hold after a signal
}

TEST_CASE("courier-dispatch: an empty load with no hold stops its server and exits 0", "[dispatch-server][real]") {
  // The load ends at once, often before the server thread has begun to
  // listen (more so with 16 programs starting together on a few cores):
  // stopping the server then must still end it. Before main waited for the
  // server to run, some of the 16 hung.
  auto deadline = SteadyClock::now() + std::chrono::seconds(20);
  std::vector<std::unique_ptr<Program>> programs;
  const std::vector<std::string> args{"--requests", "0", "--hold-seconds", "0"};
  for (int i = 0; i < 16; ++i) programs.push_back(std::make_unique<Program>(args));
  for (std::size_t i = 0; i < programs.size(); ++i) {
    std::string out = programs[i]->read_rest(deadline);
    INFO("program " << i << ":\n" << out);
    CHECK(out.find("\ngoroutines back to baseline 0\nstopped: the hold ended\n") != std::string::npos);
    CHECK(programs[i]->wait_exit(deadline) == 0);
  }
}

TEST_CASE("courier-dispatch: a bad flag is refused with one line and status 2", "[dispatch-server][real]") {
  auto deadline = SteadyClock::now() + kDeadline;
  using Case = std::pair<std::vector<std::string>, std::string>;
  for (const auto& [args, message] :
       {Case{{"--concurrency", "0"}, "courier-dispatch: --concurrency: Value 0 not in range 1 to 1000000 (see --help)\n"},
        Case{{"--port", "70000"}, "courier-dispatch: --port: Value 70000 not in range 0 to 65535 (see --help)\n"},
        Case{{"--requests", "many"}, "courier-dispatch: --requests: Value many not in range 0 to 10000000 (see --help)\n"},
        Case{{"--bogus"}, "courier-dispatch: The following argument was not expected: --bogus (see --help)\n"}}) {
    Program p(args, true);
    CHECK(p.read_rest(deadline) == message);
    CHECK(p.wait_exit(deadline) == 2);
  }
}

TEST_CASE("courier-dispatch: a port in use is refused with status 1", "[dispatch-server][real]") {
  auto deadline = SteadyClock::now() + kDeadline;
  httplib::Server taken;
  int port = taken.bind_to_any_port("127.0.0.1");
  REQUIRE(port > 0);
  Program p({"--port", std::to_string(port)}, true);
  CHECK(p.read_rest(deadline) ==
        "courier-dispatch: cannot listen on 127.0.0.1:" + std::to_string(port) + " (Address already in use)\n");
  CHECK(p.wait_exit(deadline) == 1);
}
