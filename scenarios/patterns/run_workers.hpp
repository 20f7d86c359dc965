// run_workers(): a bounded worker pool. `n` workers take jobs from one
// channel until it is closed; each failure goes to an error channel that is
// closed once every worker has ended, so the caller can simply range over it:
//
//   auto errors = run_workers(ctx, jobs, 4, [&](const Context& c, int job) { ... });
//   for (Error e : errors) log(e);       // ends when all workers are done
//
// At most n jobs run at once however many are queued (no goroutine per
// job). Workers ("worker-0", ...) stop taking jobs when ctx is cancelled,
// and do not report the cancellation itself as a job's error.
// The error channel is unbuffered: a worker with an error waits for the
// caller to read it, so the caller must keep reading until it is closed.
#pragma once

#include <fmt/format.h>

#include <functional>
#include <memory>

#include "lockstep.hpp"
#include "scenarios/patterns/stream_scans.hpp"

namespace lockstep::scenarios {

using Work = std::function<Error(const Context&, int job)>;

inline RecvChan<Error> run_workers(const Context& ctx, RecvChan<int> jobs, int n, Work work) {
  Chan<Error> errors(0);
  auto workers = std::make_shared<WaitGroup>();
  auto shared_work = std::make_shared<Work>(std::move(work));
  for (int i = 0; i < n; ++i) {
    workers->go(fmt::format("worker-{}", i), [ctx, jobs, errors, shared_work] {
      for (;;) {
        std::optional<int> job;
        bool stop = false;
        select(on_recv(jobs, [&](std::optional<int> j) { job = j; stop = !j; }),
               on_recv(ctx.done(), [&] { stop = true; }));
        if (stop) return;
        Error err = (*shared_work)(ctx, *job);
        if (ctx.err() != nullptr) return;  // cancelled: the caller knows, nothing to report
        if (err && !send_or_done(ctx, SendChan<Error>(errors), err)) return;
      }
    });
  }
  go("workers-closer", [workers, errors] {
    workers->wait();
    errors.close();
  });
  return errors;
}

}  // namespace lockstep::scenarios
