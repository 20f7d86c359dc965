// bug_hunt: how many schedules each strategy needs to find known bugs.
//
// Three corpora (--corpus, comma-separated; all by default): "classic",
// classic concurrency bugs of its own (assertion, deadlock and leak bugs, 3
// to 101 fibers); "catalog", the catalog's mistakes; "goker", the GoKer
// kernels' bugs (blocking ones, and non-blocking ones this build can check:
// a data race needs the race-detector build). --only keeps the bugs whose
// name contains its text. For every bug and strategy it runs
// `--explorations` explorations (exploration j starts at seed
// 1 + j * 1,000,003, schedule i uses seed start + i, as a fuzz case does,
// adapting the pct bound after each schedule) of at most `--max` schedules,
// and prints one markdown row: the median and maximum schedules to the first
// failure ("-" if an exploration found nothing), and in how many explorations
// the bug was found. Then one row per strategy: bugs found by every
// exploration, and the median of the medians (a bug not found counts as
// max + 1). --strategies lists what is measured: fifo, random, pct1..pct9, pos,
// portfolio, dfs (one systematic search, delay bound --dfs-bound, capped by
// --max), or mix:a+b+... (a portfolio of those members, by seed modulo
// their count, pct members sharing one adaptive bound). Run by hand
// (tools/dev bench builds it):
//   build/release/bench/bug_hunt [--corpus classic,catalog,goker] [--only TEXT]
//       [--explorations 20] [--max 10000] [--dfs-bound 2]
//       [--strategies random,pct1,pct2,pct3,pos,portfolio]
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

// A bug: one run of its program under a strategy and seed, and whether a
// report shows the bug (a corpus bug: any failure; a scenario: the failure
// its expectation names).
struct Bug {
  std::string name;
  int fibers;  // 0: a catalog scenario (its own count)
  std::function<sim::Report(const sim::Strategy&, std::uint64_t)> run;
  std::function<bool(const sim::Report&)> caught;
};

Bug corpus_bug(std::string name, int fibers, void (*body)()) {
  return Bug{std::move(name), fibers,
             [body](const sim::Strategy& s, std::uint64_t seed) {
               sim::Options o;
               o.strategy = s;
               o.seed = seed;
               return sim::run([body] { body(); }, o);
             },
             [](const sim::Report& r) { return !r.passed(); }};
}

// The catalog's buggy scenarios whose names start with `prefix` and that
// this build can check (a data race needs the race-detector build).
void add_scenarios(std::vector<Bug>& out, const std::string& prefix) {
  for (const auto& s : lockstep::scenarios::catalog()) {
    if (s.name.rfind(prefix, 0) != 0 || !s.expect.buggy() || !s.expect.checkable()) continue;
    const auto* sp = &s;
    out.push_back(Bug{s.name, 0,
                      [sp](const sim::Strategy& st, std::uint64_t seed) {
                        return lockstep::scenarios::run_schedule(*sp, st, seed);
                      },
                      [sp](const sim::Report& r) { return lockstep::scenarios::matches(sp->expect, r); }});
  }
}

// bugs() is the corpus: "classic" (the programs above), "catalog" (the
// mistakes/ scenarios), "goker" (the GoKer kernels' bugs), as `corpora`
// lists them; only names containing `only`.
std::vector<Bug> bugs(const std::vector<std::string>& corpora, const std::string& only) {
  std::vector<Bug> out;
  for (const std::string& c : corpora) {
    if (c == "classic") {
      out.push_back(corpus_bug("ordering (assert, d=1)", 3, ordering));
      out.push_back(corpus_bug("lost update (assert, d=2)", 3, lost_update));
      out.push_back(corpus_bug("ABBA (deadlock)", 3, abba));
      out.push_back(corpus_bug("first responder (leak)", 3, first_responder));
      out.push_back(corpus_bug("lost wake-up (deadlock)", 11, lost_wakeup));
      out.push_back(corpus_bug("two-stage, 99 writers (assert)", 101, two_stage));
    } else if (c == "catalog") {
      add_scenarios(out, "mistakes/");
    } else if (c == "goker") {
      add_scenarios(out, "goker/");
    } else {
      throw std::invalid_argument("bug_hunt: unknown corpus \"" + c + "\" (classic, catalog, goker)");
    }
  }
  std::erase_if(out, [&](const Bug& b) { return b.name.find(only) == std::string::npos; });
  return out;
}

// A strategy as measured: schedule i runs members[seed mod n], and every
// member adapts to every run, so pct members share one adaptive bound (a
// portfolio of single strategies; `portfolio` is the built-in one, a single
// member). "dfs" is the systematic search (delay bound `--dfs-bound`).
struct Named {
  std::string name;
  std::vector<sim::Strategy> members;
};

sim::Strategy single(const std::string& name) {
  if (name == "fifo") return sim::Strategy::fifo();
  if (name == "random") return sim::Strategy::random();
  if (name == "pos") return sim::Strategy::pos();
  if (name == "portfolio") return sim::Strategy::portfolio();
  if (name.size() == 4 && name.rfind("pct", 0) == 0 && name[3] >= '1' && name[3] <= '9')
    return sim::Strategy::pct(static_cast<unsigned>(name[3] - '0'));
  throw std::invalid_argument("bug_hunt: unknown strategy \"" + name +
                              "\" (fifo, random, pct1..pct9, pos, portfolio, dfs, mix:a+b+...)");
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::size_t from = 0;
  for (std::size_t at; (at = text.find(sep, from)) != std::string::npos; from = at + 1)
    out.push_back(text.substr(from, at - from));
  out.push_back(text.substr(from));
  return out;
}

// strategies() parses --strategies: names, or "mix:pos+pct2+random" for a
// portfolio of those members in that order.
std::vector<Named> strategies(const std::string& list) {
  std::vector<Named> out;
  for (const std::string& name : split(list, ',')) {
    bool pct = name.size() == 4 && name.rfind("pct", 0) == 0;
    Named n{pct ? fmt::format("pct d={}", name[3]) : name, {}};
    if (name.rfind("mix:", 0) == 0) {
      for (const std::string& m : split(name.substr(4), '+')) n.members.push_back(single(m));
    } else if (name != "dfs") {
      n.members.push_back(single(name));
    }
    out.push_back(std::move(n));
  }
  return out;
}

// explore() returns the 1-based schedule of the first failure that shows the
// bug, or 0.
std::uint64_t explore(const Bug& bug, std::vector<sim::Strategy> members, std::uint64_t start,
                      std::uint64_t max) {
  for (std::uint64_t i = 0; i < max; ++i) {
    std::uint64_t seed = start + i;
    sim::Report r = bug.run(members[seed % members.size()], seed);
    if (bug.caught(r)) return i + 1;
    for (sim::Strategy& m : members) m.adapt(r.steps);
  }
  return 0;
}

// explore_dfs() is the systematic search's first schedule that shows the
// bug (1-based), or 0: one search, the same every time.
std::uint64_t explore_dfs(const Bug& bug, unsigned bound, std::uint64_t max) {
  sim::DfsConfig c;
  c.bound = bound;
  c.max_schedules = max;
  sim::DfsResult r = sim::explore_dfs([&](const sim::Strategy& st) { return bug.run(st, 0); }, c);
  return r.failure && bug.caught(*r.failure) ? r.failure_schedule + 1 : 0;
}

const char* arg(int argc, char** argv, const char* flag, const char* fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], flag) == 0) return argv[i + 1];
  return fallback;
}

std::uint64_t number(int argc, char** argv, const char* flag, std::uint64_t fallback) {
  const char* text = arg(argc, argv, flag, nullptr);
  return text == nullptr ? fallback : std::strtoull(text, nullptr, 10);
}

}  // namespace

int main(int argc, char** argv) try {
  std::uint64_t explorations = number(argc, argv, "--explorations", 20);
  std::uint64_t max = number(argc, argv, "--max", 10'000);
  auto dfs_bound = static_cast<unsigned>(number(argc, argv, "--dfs-bound", 2));
  std::vector<Named> measured =
      strategies(arg(argc, argv, "--strategies", "random,pct1,pct2,pct3,pos,portfolio"));
  std::vector<Bug> all =
      bugs(split(arg(argc, argv, "--corpus", "classic,catalog,goker"), ','), arg(argc, argv, "--only", ""));
  std::map<std::string, std::vector<double>> medians;
  std::map<std::string, int> found_by_all;
  fmt::print("| bug | fibers | strategy | median | max | found |\n|---|---|---|---|---|---|\n");
  for (const Bug& bug : all) {
    for (const Named& st : measured) {
      std::vector<std::uint64_t> firsts;
      std::uint64_t runs = st.members.empty() ? 1 : explorations;  // dfs: one search
      std::uint64_t found = 0;
      for (std::uint64_t j = 0; j < runs; ++j) {
        std::uint64_t first = st.members.empty() ? explore_dfs(bug, dfs_bound, max)
                                                 : explore(bug, st.members, 1 + j * 1'000'003, max);
        firsts.push_back(first == 0 ? max + 1 : first);  // not found sorts last
        found += first != 0;
      }
      std::sort(firsts.begin(), firsts.end());
      auto shown = [max](std::uint64_t v) { return v > max ? std::string("-") : fmt::format("{}", v); };
      std::uint64_t median = firsts[firsts.size() / 2];
      fmt::print("| {} | {} | {} | {} | {} | {}/{} |\n", bug.name,
                 bug.fibers == 0 ? "-" : fmt::format("{}", bug.fibers), st.name, shown(median),
                 shown(firsts.back()), found, runs);
      std::fflush(stdout);
      medians[st.name].push_back(static_cast<double>(median));
      found_by_all[st.name] += found == runs;
    }
  }
  fmt::print("\n| strategy | bugs found by every exploration | median of medians |\n|---|---|---|\n");
  for (const Named& st : measured) {
    auto& m = medians[st.name];
    std::sort(m.begin(), m.end());
    fmt::print("| {} | {}/{} | {} |\n", st.name, found_by_all[st.name], all.size(),
               m.empty() ? 0.0 : m[m.size() / 2]);
  }
} catch (const std::exception& e) {
  fmt::print(stderr, "{}\n", e.what());
  return 2;
}
