// Context: cancellation flows down the tree, deadlines fire at exact virtual
// instants (no error at timeout - 1ns, deadline exceeded at timeout),
// cancelling releases the deadline timer, causes and values.
#include <vector>

#include "primitives/tests/support.hpp"

using namespace std::chrono_literals;
using lockstep::Clock;
using lockstep::Context;
using lockstep::kSimulationEpoch;
using lockstep::on_recv;
using lockstep::select;
using lockstep::test::run_both;
using lockstep::test::run_checked;
using lockstep::test::Trace;

TEST_CASE("context: background is never done", "[context][both]") {
  run_both([] {
    Context bg = lockstep::background();
    CHECK(bg.err() == nullptr);
    CHECK(bg.done().is_nil());
    CHECK_FALSE(bg.deadline());
    CHECK(select(on_recv(bg.done()), lockstep::on_default([] {})) == 1);
  });
}

TEST_CASE("context: cancel closes done, sets err, and is idempotent", "[context][cancel]") {
  Trace trace;
  run_checked([&] {
    auto [ctx, cancel] = lockstep::with_cancel(lockstep::background());
    lockstep::go([&, ctx = ctx] {
      ctx.done().recv();
      trace.add("done");
    });
    lockstep::sleep(2s);
    CHECK(ctx.err() == nullptr);
    cancel();
    cancel();
    CHECK(lockstep::is_canceled(ctx.err()));
    CHECK(lockstep::error_message(ctx.err()) == "context canceled");
    lockstep::sim::wait();
  });
  CHECK(trace.events == std::vector<std::string>{"done@2s"});
}

TEST_CASE("context: timeout 5s: no error at 5s - 1ns, deadline exceeded at exactly 5s",
          "[context][deadline]") {
  run_checked([] {
    auto [ctx, cancel] = lockstep::with_timeout(lockstep::background(), 5s);
    CHECK(ctx.deadline() == kSimulationEpoch + 5s);
    lockstep::sleep(5s - 1ns);
    CHECK(ctx.err() == nullptr);
    lockstep::sleep(1ns);
    CHECK(lockstep::is_deadline_exceeded(ctx.err()));
    CHECK(lockstep::error_message(ctx.err()) == "context deadline exceeded");
    cancel();  // after expiry: the error stays deadline exceeded
    CHECK(lockstep::is_deadline_exceeded(ctx.err()));
  });
}

TEST_CASE("context: waiting on done wakes exactly at the deadline", "[context][deadline]") {
  run_checked([] {
    auto [ctx, cancel] = lockstep::with_deadline(lockstep::background(), kSimulationEpoch + 90s);
    ctx.done().recv();
    CHECK(Clock::now() == kSimulationEpoch + 90s);
    cancel();
  });
}

TEST_CASE("context: cancelling a parent cancels every descendant", "[context][tree][both]") {
  run_both([] {
    auto [parent, cancel_parent] = lockstep::with_cancel(lockstep::background());
    auto [child, cancel_child] = lockstep::with_timeout(parent, 1h);
    lockstep::ContextKey<int> key("k");
    auto valued = lockstep::with_value(child, key, 7);
    auto [grandchild, cancel_grandchild] = lockstep::with_cancel(valued);
    cancel_parent();
    CHECK(lockstep::is_canceled(child.err()));
    CHECK(lockstep::is_canceled(valued.err()));
    CHECK(lockstep::is_canceled(grandchild.err()));
    CHECK(grandchild.done().try_recv().status == lockstep::ChanStatus::closed);
    cancel_child();
    cancel_grandchild();
  });
}

TEST_CASE("context: cancelling a child leaves the parent alone", "[context][tree][both]") {
  run_both([] {
    auto [parent, cancel_parent] = lockstep::with_cancel(lockstep::background());
    auto [child, cancel_child] = lockstep::with_cancel(parent);
    cancel_child();
    CHECK(parent.err() == nullptr);
    CHECK(lockstep::is_canceled(child.err()));
    cancel_parent();
  });
}

TEST_CASE("context: children that left early, by cancel or by being dropped, are not cancelled again",
          "[context][tree][both]") {
  // Proves the parent's list of children stays exact as they leave out of
  // order (each child takes its slot in O(1), the last one moves into a
  // leaver's): of 60 children, every third is cancelled first and every
  // fifth is dropped uncancelled; cancelling the parent then cancels exactly
  // the others, and each once (a dropped child left in the list would be a
  // dangling entry, which ASan reports).
  run_both([] {
    auto [parent, cancel_parent] = lockstep::with_cancel(lockstep::background());
    std::vector<std::pair<Context, lockstep::CancelFunc>> kids;
    for (int i = 0; i < 60; ++i) kids.push_back(lockstep::with_cancel(parent));
    int early = 0, dropped = 0;
    for (int i = 59; i >= 0; --i) {
      if (i % 3 == 0) {
        kids[static_cast<std::size_t>(i)].second();
        ++early;
      } else if (i % 5 == 0) {
        kids.erase(kids.begin() + i);
        ++dropped;
      }
    }
    CHECK(early == 20);
    CHECK(dropped == 8);
    int live = 0;
    for (auto& [ctx, cancel] : kids) live += ctx.err() == nullptr ? 1 : 0;
    CHECK(live == 32);
    cancel_parent();
    for (auto& [ctx, cancel] : kids) CHECK(lockstep::is_canceled(ctx.err()));
  });
}

TEST_CASE("context: a child of a cancelled parent starts cancelled", "[context][tree][both]") {
  run_both([] {
    auto [parent, cancel] = lockstep::with_cancel(lockstep::background());
    cancel();
    auto [child, cancel_child] = lockstep::with_timeout(parent, 1s);
    CHECK(lockstep::is_canceled(child.err()));
    cancel_child();
  });
}

TEST_CASE("context: the earlier deadline wins", "[context][deadline]") {
  run_checked([] {
    auto [outer, cancel_outer] = lockstep::with_timeout(lockstep::background(), 2s);
    auto [inner, cancel_inner] = lockstep::with_timeout(outer, 10s);
    CHECK(inner.deadline() == kSimulationEpoch + 2s);
    inner.done().recv();
    CHECK(Clock::now() == kSimulationEpoch + 2s);
    CHECK(lockstep::is_deadline_exceeded(inner.err()));  // inherited from the parent
    auto [shorter, cancel_shorter] = lockstep::with_timeout(lockstep::background(), 1s);
    auto [longer_child, cancel_longer] = lockstep::with_timeout(shorter, 1h);
    CHECK(longer_child.deadline() == Clock::now() + 1s);
    cancel_outer(), cancel_inner(), cancel_shorter(), cancel_longer();
  });
}

TEST_CASE("context: cancelling releases the deadline timer", "[context][deadline]") {
  // The context's state (kept alive by its pending timer) is freed once
  // cancel() stops the timer, long before the deadline.
  std::weak_ptr<int> alive;
  auto r = lockstep::test::run_sim([&] {
    lockstep::ContextKey<std::shared_ptr<int>> key("payload");
    auto payload = std::make_shared<int>(1);
    alive = payload;
    {
      auto [ctx, cancel] = lockstep::with_timeout(lockstep::with_value(lockstep::background(), key, payload), 1h);
      payload.reset();
      cancel();
    }
    CHECK(alive.expired());
  });
  CHECK(r.passed());
  CHECK(r.elapsed() == 0s);
}

TEST_CASE("context: cause records why, plain cancel's cause is its error", "[context][cause][both]") {
  run_both([] {
    auto [ctx, cancel] = lockstep::with_cancel_cause(lockstep::background());
    auto [child, cancel_child] = lockstep::with_cancel(ctx);
    cancel.cancel_with(std::make_exception_ptr(std::runtime_error("courier 7 went offline")));
    CHECK(lockstep::is_canceled(ctx.err()));
    CHECK(lockstep::error_message(lockstep::cause(ctx)) == "courier 7 went offline");
    CHECK(lockstep::error_message(lockstep::cause(child)) == "courier 7 went offline");
    auto [plain, cancel_plain] = lockstep::with_cancel(lockstep::background());
    CHECK(lockstep::cause(plain) == nullptr);
    cancel_plain();
    CHECK(lockstep::is_canceled(lockstep::cause(plain)));
    cancel_child();
  });
}

TEST_CASE("context: values are found up the tree, nearest first", "[context][value][both]") {
  run_both([] {
    lockstep::ContextKey<std::string> request("request-id");
    lockstep::ContextKey<int> other("other");
    auto a = lockstep::with_value(lockstep::background(), request, std::string("r-1"));
    auto [b, cancel] = lockstep::with_cancel(a);
    auto c = lockstep::with_value(b, request, std::string("r-2"));
    REQUIRE(a.value(request) != nullptr);
    CHECK(*a.value(request) == "r-1");
    CHECK(*b.value(request) == "r-1");
    CHECK(*c.value(request) == "r-2");
    CHECK(c.value(other) == nullptr);
    cancel();
  });
}

TEST_CASE("context: a lookup's context under a request's value context ends with the request",
          "[context][value][both]") {
  // A request-scoped value sits between the request's context and the
  // lookup's: the lookup still inherits the request's deadline, and a
  // goroutine waiting on the lookup's done() wakes when the request is
  // cancelled, with the request's error and still seeing the value.
  run_both([] {
    lockstep::ContextKey<std::string> request_id("request-id");
    auto [request, cancel_request] = lockstep::with_timeout(lockstep::background(), 1h);
    auto tagged = lockstep::with_value(request, request_id, std::string("r-7"));
    auto [lookup, cancel_lookup] = lockstep::with_cancel(tagged);
    REQUIRE(lookup.deadline() == request.deadline());  // else the wait below never ends
    lockstep::Chan<std::string> outcome(1);
    lockstep::go("lookup", [lookup = lookup, outcome, &request_id] {
      lookup.done().recv();
      outcome.send(lockstep::error_message(lookup.err()) + " for " + *lookup.value(request_id));
    });
    cancel_request();
    CHECK(outcome.recv() == "context canceled for r-7");
    cancel_lookup();
  });
}

TEST_CASE("context: select on done and a result channel", "[context][select]") {
  Trace trace;
  run_checked([&] {
    auto [ctx, cancel] = lockstep::with_timeout(lockstep::background(), 3s);
    lockstep::Chan<int> result(1);
    lockstep::go([result] {
      lockstep::sleep(5s);
      result.send(1);
    });
    select(on_recv(result, [&] { trace.add("result"); }),
           on_recv(ctx.done(), [&, ctx = ctx] { trace.add(lockstep::error_message(ctx.err())); }));
    cancel();
    lockstep::sim::wait();
    lockstep::sleep(5s);
  });
  CHECK(trace.events == std::vector<std::string>{"context deadline exceeded@3s"});
}


TEST_CASE("context: without_cancel keeps the values and drops the cancellation", "[context][without_cancel][both]") {
  run_both([] {
    lockstep::ContextKey<std::string> request_id("request-id");
    auto [parent, cancel] = lockstep::with_timeout(lockstep::background(), 1h);
    auto tagged = lockstep::with_value(parent, request_id, std::string("r-9"));
    Context detached = lockstep::without_cancel(tagged);
    cancel();
    CHECK(lockstep::is_canceled(tagged.err()));
    CHECK(detached.err() == nullptr);
    CHECK(lockstep::cause(detached) == nullptr);
    CHECK(detached.done().is_nil());
    CHECK_FALSE(detached.deadline());
    REQUIRE(detached.value(request_id) != nullptr);
    CHECK(*detached.value(request_id) == "r-9");
    CHECK(select(on_recv(detached.done()), lockstep::on_default([] {})) == 1);
    // A child of it is cancelled by its own cancel only.
    auto [child, cancel_child] = lockstep::with_cancel(detached);
    CHECK(child.err() == nullptr);
    cancel_child();
    CHECK(lockstep::is_canceled(child.err()));
    CHECK(*child.value(request_id) == "r-9");
  });
}

TEST_CASE("context: under without_cancel only the child's own deadline counts", "[context][without_cancel][deadline]") {
  run_checked([] {
    auto [parent, cancel] = lockstep::with_timeout(lockstep::background(), 1s);
    auto [child, cancel_child] = lockstep::with_timeout(lockstep::without_cancel(parent), 10s);
    CHECK(child.deadline() == kSimulationEpoch + 10s);
    child.done().recv();
    CHECK(Clock::now() == kSimulationEpoch + 10s);
    CHECK(lockstep::is_deadline_exceeded(parent.err()));
    CHECK(lockstep::is_deadline_exceeded(child.err()));
    cancel(), cancel_child();
  });
}

TEST_CASE("context: a receive on without_cancel's done blocks forever", "[context][without_cancel]") {
  // done() is a nil channel: with nothing else to run the simulation ends
  // in a deadlock naming the receive, as Go's `<-ctx.Done()` would hang.
  auto r = lockstep::test::run_sim([] {
    Context detached = lockstep::without_cancel(lockstep::background());
    detached.done().recv();
  });
  CHECK(r.verdict == lockstep::sim::Verdict::deadlock);
  REQUIRE(r.fibers.size() == 1);
  CHECK(r.fibers[0].reason == "chan receive (nil chan)");
}

TEST_CASE("context: timeout with cause: deadline exceeded at exactly 5s, cause as given",
          "[context][cause][deadline]") {
  run_checked([] {
    auto why = std::make_exception_ptr(std::runtime_error("courier lookup too slow"));
    auto [ctx, cancel] = lockstep::with_timeout_cause(lockstep::background(), 5s, why);
    auto [child, cancel_child] = lockstep::with_cancel(ctx);
    lockstep::sleep(5s - 1ns);
    CHECK(ctx.err() == nullptr);
    CHECK(lockstep::cause(ctx) == nullptr);
    lockstep::sleep(1ns);
    CHECK(lockstep::is_deadline_exceeded(ctx.err()));
    CHECK(lockstep::cause(ctx) == why);
    CHECK(lockstep::is_deadline_exceeded(child.err()));
    CHECK(lockstep::cause(child) == why);
    cancel();  // after expiry: nothing changes
    CHECK(lockstep::cause(ctx) == why);
    cancel_child();
  });
}

TEST_CASE("context: deadline with cause: cancel first records canceled, the earlier parent deadline wins",
          "[context][cause][deadline]") {
  run_checked([] {
    auto why = std::make_exception_ptr(std::runtime_error("shift over"));
    auto [ctx, cancel] = lockstep::with_deadline_cause(lockstep::background(), kSimulationEpoch + 8s, why);
    lockstep::sleep(2s);
    cancel();
    CHECK(lockstep::is_canceled(ctx.err()));
    CHECK(lockstep::is_canceled(lockstep::cause(ctx)));
    // The parent expires first: the child reports the parent's error and cause.
    auto [parent, cancel_parent] = lockstep::with_timeout(lockstep::background(), 1s);
    auto [child, cancel_child] = lockstep::with_timeout_cause(parent, 1h, why);
    CHECK(child.deadline() == kSimulationEpoch + 3s);
    child.done().recv();
    CHECK(Clock::now() == kSimulationEpoch + 3s);
    CHECK(lockstep::is_deadline_exceeded(lockstep::cause(child)));
    cancel_parent(), cancel_child();
  });
}

TEST_CASE("context: timeout with cause on real threads too", "[context][cause][both]") {
  // A timeout <= 0 expires at once on either clock: no waiting in real time.
  run_both([] {
    auto why = std::make_exception_ptr(std::runtime_error("no budget left"));
    auto [ctx, cancel] = lockstep::with_timeout_cause(lockstep::background(), 0s, why);
    ctx.done().recv();
    CHECK(lockstep::is_deadline_exceeded(ctx.err()));
    CHECK(lockstep::error_message(lockstep::cause(ctx)) == "no budget left");
    cancel();
  });
}
