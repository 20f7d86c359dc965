// Go idioms the GoKer ports share: Go statements with no one-call
// equivalent in lockstep, and the k8s.io helpers several kernels copy.
//
//   goker::CloseOnReturn closer{stop_ch};         // defer close(stopCh)
//   if (goker::closed(stop_ch)) return;           // select { case <-stopCh: return; default: }
//   goker::backoff_until(f, stop_ch);             // wait.BackoffUntil, as the kernels reduce it
//   goker::parallelize_until(stop, 2, 2, piece);  // workqueue.ParallelizeUntil
//
// Each helper does exactly the channel operations of the Go code it stands
// for, in the same order, so a kernel's schedules (and the schedule indices
// its test pins) do not depend on whether it uses the helper. A kernel whose
// Go helper differs (wait.Until with a period, a JitterUntil whose loop
// never blocks) keeps its own copy, with its difference written down.
#pragma once

#include <functional>

#include "lockstep.hpp"

namespace lockstep::scenarios::goker {

// closed() tells whether `ch`, a channel that is only ever closed (a stop or
// done channel), is closed: Go's `select` on it with a `default`. It never
// blocks.
inline bool closed(RecvChan<Empty> ch) { return ch.try_recv().status == ChanStatus::closed; }

// CloseOnReturn closes its channel when it goes out of scope: Go's
// `defer close(ch)`.
struct CloseOnReturn {
  Chan<Empty> ch;
  ~CloseOnReturn() { ch.close(); }
};

// backoff_until() is wait.BackoffUntil as GoKer's kernels reduce it: call
// `f`, then block until `stop_ch` closes (the backoff timer's case is gone,
// its single-case select stays a select); return at once if it is already
// closed.
inline void backoff_until(const std::function<void()>& f, RecvChan<Empty> stop_ch) {
  for (;;) {
    if (closed(stop_ch)) return;
    f();
    bool stopped = false;
    select(on_recv(stop_ch, [&] { stopped = true; }));
    if (stopped) return;
  }
}

// parallelize_until() is workqueue.ParallelizeUntil: min(workers, pieces)
// goroutines "ParallelizeUntil.func1" take the pieces 0..pieces-1 from a
// buffered channel and call do_work_piece on each until `stop` is ready (a
// nil `stop` never is); it blocks until they are all done.
inline void parallelize_until(RecvChan<Empty> stop, int workers, int pieces,
                              const std::function<void(int)>& do_work_piece) {
  Chan<int> to_process(pieces);
  for (int i = 0; i < pieces; ++i) to_process.send(i);
  to_process.close();
  if (pieces < workers) workers = pieces;
  WaitGroup wg;
  wg.add(workers);
  for (int i = 0; i < workers; ++i)
    go("ParallelizeUntil.func1", [&wg, &do_work_piece, to_process, stop] {
      for (int piece : to_process) {
        if (stop.try_recv().status != ChanStatus::would_block) break;
        do_work_piece(piece);
      }
      wg.done();
    });
  wg.wait();
}

}  // namespace lockstep::scenarios::goker
