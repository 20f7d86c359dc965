// score_worker(): a worker whose signature says what it may do with each
// channel. Go's `func scoreWorker(in <-chan Parcel, out chan<- Score)`:
// RecvChan can only be received from, SendChan only sent on (the compiler
// rejects the rest), so the worker cannot close its input or read its
// output by mistake. Whoever made the channels closes them.
//
//   Chan<Parcel> parcels(0); Chan<Score> scores(0);
//   go("scorer", [=] { score_worker(parcels, scores); });   // implicit views
//
// The worker ends when its input is closed and drained. A score is the
// parcel's zone times ten plus one per 100 of its id, so tests can predict it.
#pragma once

#include "lockstep.hpp"
#include "scenarios/model.hpp"

namespace lockstep::scenarios {

struct Score {
  int parcel_id = 0;
  int points = 0;
  bool operator==(const Score&) const = default;
};

inline Score score(const Parcel& p) { return Score{p.id, p.zone * 10 + p.id / 100}; }

inline void score_worker(RecvChan<Parcel> in, SendChan<Score> out) {
  while (auto parcel = in.recv()) out.send(score(*parcel));
}

}  // namespace lockstep::scenarios
