// Timers due at the same virtual instant: Go fires them in no promised order,
// so here their order is a decision (sim/simulation_timers.cpp). Proved by
// exact outcomes: fifo fires in creation order as before, with one decision
// per tie counted; a seeded random strategy fires either one first, at exact
// seeds, and the replay token of a run reproduces its order.
#include "primitives/tests/support.hpp"

using namespace std::chrono_literals;
using lockstep::Timer;
using lockstep::on_recv;
using lockstep::select;
using lockstep::test::run_sim;
using lockstep::test::seeded;
namespace sim = lockstep::sim;

namespace {

// A client gives a reply 1s to come and times out after 1s too: it assumes
// the reply wins the tie, which Go does not promise. The outcome is the case
// select took.
struct Race {
  std::string winner;
  sim::Report report;
};

Race reply_or_timeout(const sim::Options& options) {
  Race out;
  out.report = run_sim(
      [&out] {
        Timer reply(1s), timeout(1s);
        select(on_recv(reply.chan(), [&](auto) { out.winner = "reply"; }),
               on_recv(timeout.chan(), [&](auto) { out.winner = "timeout"; }));
        if (out.winner != "reply") throw std::runtime_error("timed out on a reply that came in time");
      },
      options);
  return out;
}

}  // namespace

TEST_CASE("timer tie: fifo fires timers due together in creation order, one decision counted",
          "[timer][tie][fifo]") {
  Race r = reply_or_timeout({});
  CHECK(r.report.passed());
  CHECK(r.winner == "reply");
  CHECK(r.report.decision_count == 1);  // the tie: reply (0) or timeout (1)
  CHECK(r.report.decisions.empty());
  CHECK(r.report.replay_token == "lockstep1:fifo:seed=0");
}

TEST_CASE("timer tie: random catches a program that relies on the order of two timers due together",
          "[timer][tie][random]") {
  // Before the order was a decision every schedule passed. Seed 1 already
  // fires the timeout first (the generator is specified: same on every machine).
  std::uint64_t first_failure = 0;
  for (std::uint64_t seed = 1; seed <= 100 && first_failure == 0; ++seed)
    if (!reply_or_timeout(seeded(sim::Strategy::random(), seed)).report.passed()) first_failure = seed;
  CHECK(first_failure == 1u);
  Race failed = reply_or_timeout(seeded(sim::Strategy::random(), first_failure));
  CHECK(failed.winner == "timeout");
  CHECK(failed.report.verdict == sim::Verdict::exception);
  CHECK(failed.report.decisions == std::vector<std::uint32_t>{1});
  sim::Options replay;
  replay.replay = failed.report.replay_token;
  Race again = reply_or_timeout(replay);
  CHECK(again.winner == "timeout");
  CHECK(again.report.verdict == sim::Verdict::exception);
}

TEST_CASE("timer tie: select over two timers due together sees both orders", "[timer][tie][select]") {
  int reply = 0, timeout = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed)
    (reply_or_timeout(seeded(sim::Strategy::random(), seed)).winner == "reply" ? reply : timeout)++;
  CHECK(reply == 7);
  CHECK(timeout == 13);
  // A decision list replays either order: 0 is creation order, 1 the other.
  sim::Options first;
  first.strategy = sim::Strategy::replay({0});
  CHECK(reply_or_timeout(first).winner == "reply");
  sim::Options second;
  second.strategy = sim::Strategy::replay({1});
  CHECK(reply_or_timeout(second).winner == "timeout");
}

namespace {

// Two raw timers due at 1s; the first's fire cancels the second, as a
// callback may stop a timer that waits in the same tie.
struct Canceller : lockstep::detail::TimerNode {
  Canceller* other = nullptr;
  const char* name = "";
  std::vector<std::string>* trace = nullptr;
};

std::vector<std::string> cancel_in_tie(std::vector<std::uint32_t> decisions) {
  std::vector<std::string> trace;
  sim::Options o;
  o.strategy = sim::Strategy::replay(std::move(decisions));
  auto report = run_sim(
      [&trace] {
        auto* rt = lockstep::detail::current_runtime();
        Canceller a, b;
        a.other = &b;
        b.other = &a;
        a.name = "a";
        b.name = "b";
        a.trace = b.trace = &trace;
        a.when = b.when = rt->now() + 1s;
        a.fire = b.fire = [](lockstep::detail::TimerNode& n) {
          auto& me = static_cast<Canceller&>(n);
          bool stopped = lockstep::detail::current_runtime()->cancel_timer(*me.other);
          me.trace->push_back(fmt::format("{} fired, stopped {}: {}", me.name, me.other->name, stopped));
        };
        rt->add_timer(a);
        rt->add_timer(b);
        lockstep::sleep(2s);
      },
      o);
  CHECK(report.passed());
  return trace;
}

}  // namespace

TEST_CASE("timer tie: a timer stopped by another of its tie before its turn never fires",
          "[timer][tie]") {
  // Either order: the first to fire stops the other, which waits in the tie
  // (pending, so cancel_timer() says true) and so never fires.
  CHECK(cancel_in_tie({0}) == std::vector<std::string>{"a fired, stopped b: true"});
  CHECK(cancel_in_tie({1}) == std::vector<std::string>{"b fired, stopped a: true"});
}
