// bug_hunt: how many schedules each strategy needs to find known bugs.
//
// A corpus of classic concurrency bugs (assertion, deadlock and leak bugs,
// 3 to 101 fibers) and the catalog's mistakes. For every bug and strategy it
// runs `--explorations` explorations (exploration j starts at seed
// 1 + j * 1,000,003, schedule i uses seed start + i, as a fuzz case does,
// adapting the pct bound after each schedule) of at most `--max` schedules,
// and prints one markdown row: the median and maximum schedules to the first
// failure ("-" if an exploration found nothing), and in how many explorations
// the bug was found. Then one row per strategy: bugs found by every
// exploration, and the median of the medians. Run by hand (tools/dev bench
// builds it):
//   build/release/bench/bug_hunt [--explorations 20] [--max 10000] [--no-catalog]
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/catalog.hpp"

using namespace std::chrono_literals;
namespace sim = lockstep::sim;

namespace {

// pad() takes `steps` scheduling points on a counter nobody else touches.
void pad(int steps) {
  lockstep::Atomic<int> local{0};
  for (int i = 0; i < steps; ++i) local.fetch_add(1);
}

// spawn_all() runs `n` fibers of `body(i)` and waits for them (n + 1 fibers).
void spawn_all(int n, const std::function<void(int)>& body) {
  lockstep::WaitGroup wg;
  wg.add(n);
  for (int i = 0; i < n; ++i)
    lockstep::go([&wg, &body, i] {
      body(i);
      wg.done();
    });
  wg.wait();
}

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(what);
}

// Order violation (depth 1): the reader must not run before the writer.
void ordering() {
  lockstep::Atomic<int> ready{0};
  spawn_all(2, [&](int i) {
    pad(5);
    if (i == 0) check(ready.load() == 1, "read before the write");
    else ready.store(1);
  });
}

// Atomicity violation (depth 2): load, then store, with no lock: a lost update.
void lost_update() {
  lockstep::Atomic<int> x{0};
  spawn_all(2, [&](int) {
    pad(5);
    int v = x.load();
    x.store(v + 1);
  });
  check(x.load() == 2, "lost update");
}

// Lock-order inversion: A then B against B then A (deadlock verdict).
void abba() {
  lockstep::Mutex a, b;
  spawn_all(2, [&](int i) {
    pad(5);
    lockstep::Mutex& first = i == 0 ? a : b;
    lockstep::Mutex& second = i == 0 ? b : a;
    first.lock();
    pad(2);
    second.lock();
    second.unlock();
    first.unlock();
  });
}

// First responder wins, on an unbuffered channel (leak verdict): a responder
// that checked `done` before main set it blocks on its send forever.
void first_responder() {
  lockstep::Chan<int> answer(0);
  lockstep::Atomic<int> done{0};
  for (int i = 0; i < 2; ++i)
    lockstep::go([answer, &done, i] {
      pad(3);
      if (done.load() == 0) answer.send(i);
    });
  answer.recv();
  done.store(1);
}

// Two-stage lock protocol, 99 writers and one reader (issue 12): each writer
// takes the lock for stage 1, works, takes it again for stage 2; the reader
// sees a half-done protocol if it runs after a stage 1 and before every
// stage 2.
void two_stage() {
  lockstep::Mutex mu;
  int started = 0, finished = 0;
  spawn_all(100, [&](int i) {
    if (i == 99) {
      std::lock_guard g(mu);
      check(started == 0 || finished > 0, "reader saw stage 1 without stage 2");
      return;
    }
    {
      std::lock_guard g(mu);
      ++started;
    }
    pad(3);
    std::lock_guard g(mu);
    ++finished;
  });
}

// Lost wake-up among 10 fibers (depth 2): the check and the wait are not
// under one lock, so a signal sent between them is lost (deadlock verdict).
void lost_wakeup() {
  lockstep::Mutex mu;
  lockstep::Cond cond(mu);
  lockstep::Atomic<int> flag{0};
  spawn_all(10, [&](int i) {
    pad(2);
    if (i == 0) {
      if (flag.load() == 0) {  // checked outside the lock
        pad(1);
        std::unique_lock g(mu);
        cond.wait();
      }
    } else if (i == 9) {
      flag.store(1);
      std::lock_guard g(mu);
      cond.broadcast();
    }
  });
}

// One schedule's outcome: whether the bug showed, and the run's steps (which
// an adaptive pct bound learns from).
struct Outcome {
  bool failed;
  std::uint64_t steps;
};

struct Bug {
  std::string name;
  int fibers;  // 0: a catalog scenario (its own count)
  std::function<Outcome(const sim::Strategy&, std::uint64_t)> run;
};

Bug corpus_bug(std::string name, int fibers, void (*body)()) {
  return Bug{std::move(name), fibers, [body](const sim::Strategy& s, std::uint64_t seed) {
               sim::Options o;
               o.strategy = s;
               o.seed = seed;
               sim::Report r = sim::run([body] { body(); }, o);
               return Outcome{!r.passed(), r.steps};
             }};
}

std::vector<Bug> bugs(bool with_catalog) {
  std::vector<Bug> out = {
      corpus_bug("ordering (assert, d=1)", 3, ordering),
      corpus_bug("lost update (assert, d=2)", 3, lost_update),
      corpus_bug("ABBA (deadlock)", 3, abba),
      corpus_bug("first responder (leak)", 3, first_responder),
      corpus_bug("lost wake-up (deadlock)", 11, lost_wakeup),
      corpus_bug("two-stage, 99 writers (assert)", 101, two_stage),
  };
  if (!with_catalog) return out;
  for (const auto& s : lockstep::scenarios::catalog()) {
    if (s.name.rfind("mistakes/", 0) != 0 || !s.expect.buggy() || !s.expect.checkable()) continue;
    const auto* sp = &s;
    out.push_back(Bug{s.name, 0, [sp](const sim::Strategy& st, std::uint64_t seed) {
                        sim::Report r = lockstep::scenarios::run_schedule(*sp, st, seed);
                        return Outcome{lockstep::scenarios::matches(sp->expect, r), r.steps};
                      }});
  }
  return out;
}

struct Named {
  std::string name;
  sim::Strategy strategy;
};

std::vector<Named> strategies() {
  return {{"random", sim::Strategy::random()}, {"pct d=1", sim::Strategy::pct(1)},
          {"pct d=2", sim::Strategy::pct(2)},  {"pct d=3", sim::Strategy::pct(3)},
          {"pos", sim::Strategy::pos()},       {"portfolio", sim::Strategy::portfolio()}};
}

// explore() returns the 1-based schedule of the first failure, or 0.
std::uint64_t explore(const Bug& bug, sim::Strategy strategy, std::uint64_t start, std::uint64_t max) {
  for (std::uint64_t i = 0; i < max; ++i) {
    Outcome o = bug.run(strategy, start + i);
    if (o.failed) return i + 1;
    strategy.adapt(o.steps);
  }
  return 0;
}

std::uint64_t arg(int argc, char** argv, const char* flag, std::uint64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], flag) == 0) return std::strtoull(argv[i + 1], nullptr, 10);
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t explorations = arg(argc, argv, "--explorations", 20);
  std::uint64_t max = arg(argc, argv, "--max", 10'000);
  bool with_catalog = true;
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--no-catalog") == 0) with_catalog = false;
  std::map<std::string, std::vector<double>> medians;
  std::map<std::string, int> found_by_all;
  fmt::print("| bug | fibers | strategy | median | max | found |\n|---|---|---|---|---|---|\n");
  std::vector<Bug> all = bugs(with_catalog);
  for (const Bug& bug : all) {
    for (const Named& st : strategies()) {
      std::vector<std::uint64_t> firsts;
      std::uint64_t found = 0;
      for (std::uint64_t j = 0; j < explorations; ++j) {
        std::uint64_t first = explore(bug, st.strategy, 1 + j * 1'000'003, max);
        firsts.push_back(first == 0 ? max + 1 : first);  // not found sorts last
        found += first != 0;
      }
      std::sort(firsts.begin(), firsts.end());
      auto shown = [max](std::uint64_t v) { return v > max ? std::string("-") : fmt::format("{}", v); };
      std::uint64_t median = firsts[firsts.size() / 2];
      fmt::print("| {} | {} | {} | {} | {} | {}/{} |\n", bug.name, bug.fibers == 0 ? "-" : fmt::format("{}", bug.fibers),
                 st.name, shown(median), shown(firsts.back()), found, explorations);
      std::fflush(stdout);
      medians[st.name].push_back(static_cast<double>(median));
      found_by_all[st.name] += found == explorations;
    }
  }
  fmt::print("\n| strategy | bugs found by every exploration | median of medians |\n|---|---|---|\n");
  for (const Named& st : strategies()) {
    auto& m = medians[st.name];
    std::sort(m.begin(), m.end());
    fmt::print("| {} | {}/{} | {} |\n", st.name, found_by_all[st.name], all.size(), m[m.size() / 2]);
  }
}
