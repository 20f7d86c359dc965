// courier-dispatch: the dispatch service (scenarios/service/dispatch.hpp,
// unmodified) on real threads, under a bounded synthetic load (load.hpp),
// with its goroutines exposed over HTTP on 127.0.0.1 (endpoints.hpp).
//
//   courier-dispatch --port 0 --requests 200 --concurrency 8 --latency-scale 0.1 --hold-seconds 30
//
// stdout, one flushed line at a time:
//   listening on 127.0.0.1:PORT              always the first line
//   load: 200 requests, 8 in flight, latency scale 0.1, faults on
//   served ... / peak ...                     the load's summary (load.hpp, render())
//   goroutines back to baseline 0
//   serving /health/goroutines and /debug/goroutines for 30s (until SIGTERM or SIGINT)
//   stopped by SIGTERM | stopped: the hold ended
// SIGTERM or SIGINT during the load cancels it (requests in flight end
// `cancelled`, none more are sent); during the hold, ends it. Either way the
// program stops its HTTP server and exits 0.
// Exit status: 0 done; 1 the port could not be bound, or the load's
// goroutines did not all end within 5s (the leak check's dump on stderr);
// 2 bad flags, with a one-line message.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <httplib.h>
#include <pthread.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>

#include "lockstep.hpp"
#include "scenarios/dispatch_server/endpoints.hpp"
#include "scenarios/dispatch_server/load.hpp"

using namespace std::chrono_literals;
using namespace lockstep;
using namespace lockstep::scenarios;

namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr const char* kHost = "127.0.0.1";

// SignalWatcher: a plain thread (not a goroutine) that waits for SIGTERM or
// SIGINT with sigwait() and then calls on_signal. block_signals() must run
// before any other thread starts: threads inherit the mask, so the signals
// stay pending until the watcher takes them, and no handler runs
// async-signal-unsafe code. Destroying the watcher wakes it with a SIGTERM
// of its own (directed at its thread) after setting stopping_.
class SignalWatcher {
 public:
  static sigset_t signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
  }
  static void block_signals() {
    sigset_t set = signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
  }

  explicit SignalWatcher(CancelFunc on_signal)
      : thread_([this, on_signal = std::move(on_signal)] {
          sigset_t set = signals();
          int sig = 0;
          sigwait(&set, &sig);
          if (stopping_.load()) return;
          received_.store(sig);
          on_signal();
        }) {}
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;
  ~SignalWatcher() {
    stopping_.store(true);
    pthread_kill(thread_.native_handle(), SIGTERM);
    thread_.join();
  }

  // received() is the signal that arrived, or 0.
  int received() const { return received_.load(); }

 private:
  std::atomic<bool> stopping_{false};
  std::atomic<int> received_{0};
  std::thread thread_;  // last: it starts once the fields above exist
};

void say(const std::string& line) {
  std::fputs(line.c_str(), stdout);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  LoadConfig load;
  double hold_seconds = 0;
  bool no_faults = false;
  CLI::App app{
      "courier-dispatch: the courier-dispatch service on real threads under a bounded synthetic load, "
      "with GET /health/goroutines and /debug/goroutines on 127.0.0.1"};
  app.add_option("--port", port, "HTTP port on 127.0.0.1 (0: any free port, printed)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--requests", load.requests, "requests in the load")
      ->check(CLI::Range(0, 10'000'000))
      ->capture_default_str();
  app.add_option("--concurrency", load.concurrency, "requests in flight at most")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  app.add_option("--latency-scale", load.latency_scale,
                 "multiplies the store's latencies (20ms, slow 2s) and the requests' 1s deadline")
      ->check(CLI::Range(0.001, 100.0))
      ->capture_default_str();
  app.add_option("--hold-seconds", hold_seconds, "keep serving HTTP this long after the load")
      ->check(CLI::Range(0.0, 86'400.0))
      ->capture_default_str();
  app.add_flag("--no-faults", no_faults, "every lookup healthy (else a third each healthy, slow and failing)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    say(app.help());
    return 0;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "courier-dispatch: %s (see --help)\n", e.what());
    return kExitUsage;
  }
  load.faults = !no_faults;

  SignalWatcher::block_signals();  // before any thread, lockstep's included
  auto [stop, cancel_stop] = with_cancel(background());
  SignalWatcher watcher(cancel_stop);

  LoadStatus status;
  httplib::Server http;
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which would let a
  // second courier-dispatch bind the same port and take half its requests.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  add_goroutine_endpoints(http, status);
  int bound = port == 0 ? http.bind_to_any_port(kHost) : (http.bind_to_port(kHost, port) ? port : -1);
  if (bound < 0) {
    std::fprintf(stderr, "courier-dispatch: cannot listen on %s:%d (%s)\n", kHost, port, std::strerror(errno));
    return kExitFailed;
  }
  std::thread server([&http] { http.listen_after_bind(); });
  // httplib's stop() does nothing until listen_after_bind() has started, so
  // stopping earlier (a load of 0 requests, an early signal) would leave
  // server.join() waiting forever.
  while (!http.is_running()) std::this_thread::yield();
  say(fmt::format("listening on {}:{}\n", kHost, bound));
  say(fmt::format("load: {} requests, {} in flight, latency scale {}, faults {}\n", load.requests,
                  load.concurrency, load.latency_scale, load.faults ? "on" : "off"));

  int status_code = 0;
  LeakCheck leaks;
  status.baseline.store(leaks.baseline());
  LoadSummary summary = run_load(load, stop, [&status](std::size_t n) { status.observe(n); });
  say(render(load, summary));
  // "done" is set after verify() and before its line: a client that reads
  // "done", or that line, then finds the count at the baseline (no goroutine
  // starts after the load), unless the leak check failed.
  try {
    leaks.verify(5s);
    status.done.store(true);
    say(fmt::format("goroutines back to baseline {}\n", leaks.baseline()));
  } catch (const GoroutineLeak& e) {
    status.done.store(true);
    std::fprintf(stderr, "courier-dispatch: %s\n", e.what());
    status_code = kExitFailed;
  }

  if (hold_seconds > 0 && stop.err() == nullptr) {
    say(fmt::format("serving /health/goroutines and /debug/goroutines for {}s (until SIGTERM or SIGINT)\n",
                    hold_seconds));
    auto [hold, cancel_hold] = with_timeout(stop, scale(1s, hold_seconds));
    hold.done().recv();
    cancel_hold();
  }
  http.stop();
  server.join();
  int sig = watcher.received();
  say(sig != 0 ? fmt::format("stopped by {}\n", sig == SIGTERM ? "SIGTERM" : "SIGINT")
               : std::string("stopped: the hold ended\n"));
  return status_code;
}
