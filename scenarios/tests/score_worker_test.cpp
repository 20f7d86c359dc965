// score_worker: directional channels. The compiler enforces the directions
// (checked here with requires-expressions); the worker scores until its
// input is closed.
#include "scenarios/patterns/score_worker.hpp"

#include "scenarios/tests/support.hpp"

using namespace lockstep;
using namespace lockstep::scenarios;

// What a worker can and cannot do with the channels it was given (concepts,
// so that a missing member is "false", not a compile error).
template <class C, class T>
concept CanSend = requires(C c, T v) { c.send(v); };
template <class C>
concept CanRecv = requires(C c) { c.recv(); };
template <class C>
concept CanClose = requires(C c) { c.close(); };

static_assert(!CanSend<RecvChan<Parcel>, Parcel>, "no send on a receive-only channel");
static_assert(!CanClose<RecvChan<Parcel>>, "only the owner closes");
static_assert(CanRecv<RecvChan<Parcel>>);
static_assert(!CanRecv<SendChan<Score>>, "no receive on a send-only channel");
static_assert(CanSend<SendChan<Score>, Score>);
static_assert(CanSend<Chan<Score>, Score> && CanRecv<Chan<Score>> && CanClose<Chan<Score>>);

TEST_CASE("score_worker: scores every parcel, ends when its input closes", "[patterns][score_worker]") {
  auto r = test::run_fifo([] {
    Chan<Parcel> parcels(0);
    Chan<Score> scores(2);
    WaitGroup worker;
    worker.go("scorer", [parcels, scores] { score_worker(parcels, scores); });
    parcels.send(Parcel{101, 1});
    parcels.send(Parcel{250, 2});
    parcels.close();
    worker.wait();
    scores.close();
    CHECK(scores.recv() == Score{101, 11});
    CHECK(scores.recv() == Score{250, 22});
    CHECK(scores.recv() == std::nullopt);
  });
  CHECK(r.verdict == sim::Verdict::passed);
}
