// lockstep: Go-style concurrency for C++20, deterministic in a simulation,
// real on threads. The one header users include.
#pragma once

#include "primitives/chan.hpp"
#include "primitives/context.hpp"
#include "primitives/go.hpp"
#include "primitives/select.hpp"
#include "primitives/sleep.hpp"
#include "primitives/timer.hpp"
#include "runtime/clock.hpp"
#include "runtime/misuse.hpp"
#include "sim/report.hpp"
#include "sim/run.hpp"
