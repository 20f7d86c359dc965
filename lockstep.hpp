// lockstep: Go-style concurrency for C++20, deterministic in a simulation,
// real on threads. The one header users include.
#pragma once

#include "primitives/atomic.hpp"
#include "primitives/chan.hpp"
#include "primitives/choose.hpp"
#include "primitives/cond.hpp"
#include "primitives/context.hpp"
#include "primitives/err_group.hpp"
#include "primitives/go.hpp"
#include "primitives/mutex.hpp"
#include "primitives/once.hpp"
#include "primitives/rwmutex.hpp"
#include "primitives/select.hpp"
#include "primitives/semaphore.hpp"
#include "primitives/sleep.hpp"
#include "primitives/timer.hpp"
#include "primitives/wait_group.hpp"
#include "runtime/clock.hpp"
#include "runtime/misuse.hpp"
#include "sim/report.hpp"
#include "sim/run.hpp"
#include "threads/goroutines.hpp"
