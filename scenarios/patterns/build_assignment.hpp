// build_assignment(): load a courier and a parcel at the same time, then plan
// the route between them. Go's errgroup.WithContext pattern:
//
//   g, ctx := errgroup.WithContext(ctx)
//   g.Go(func() error { c, err = loadCourier(ctx, id); return wrap(err) })
//   g.Go(func() error { p, err = loadParcel(ctx, pid); return wrap(err) })
//   if err := g.Wait(); err != nil { return err }
//   return planRoute(ctx, c, p)
//
// - Both loads share the group's context: the first error cancels it, so the
//   other load stops waiting at once instead of running to its end.
// - The route is planned only after wait(): wait() is the point after which
//   `courier` and `parcel` are safe to read (each is written by one goroutine).
// - Errors are wrapped with what failed: "build assignment for courier 7 and
//   parcel 9: load courier 7: store unavailable". A context error (the
//   request's deadline, a cancel) is returned as is, so callers can tell a
//   timeout from a failure.
#pragma once

#include <fmt/format.h>

#include <cstdlib>

#include "lockstep.hpp"
#include "scenarios/model.hpp"
#include "scenarios/service/lookup_store.hpp"
#include "scenarios/sleep_ctx.hpp"

namespace lockstep::scenarios {

// How long planning a route takes, in virtual time.
inline constexpr Duration kRoutePlanning = std::chrono::milliseconds(5);

// plan_route() computes the route's ETA: ten minutes per zone crossed, plus
// ten. Blocks for kRoutePlanning unless ctx ends first.
inline Result<Route> plan_route(const Context& ctx, const Courier& c, const Parcel& p) {
  if (Error err = sleep_ctx(ctx, kRoutePlanning)) return Result<Route>::failure(err);
  auto zones = std::abs(c.zone - p.zone);
  return Result<Route>::success(Route{c.id, p.id, std::chrono::minutes(10) * (1 + zones)});
}

inline Result<Assignment> build_assignment(const Context& parent, LookupStore& store, int courier_id,
                                           int parcel_id) {
  auto [group, ctx] = ErrGroup::with_context(parent);
  Courier courier;  // written by the first goroutine only, read after wait()
  Parcel parcel;    // written by the second goroutine only, read after wait()
  group.go([&, ctx = ctx]() -> Error {
    auto r = store.load_courier(ctx, courier_id);
    if (!r.ok()) return wrap(fmt::format("load courier {}", courier_id), r.err);
    courier = *r.value;
    return nullptr;
  });
  group.go([&, ctx = ctx]() -> Error {
    auto r = store.load_parcel(ctx, parcel_id);
    if (!r.ok()) return wrap(fmt::format("load parcel {}", parcel_id), r.err);
    parcel = *r.value;
    return nullptr;
  });
  auto what = [&] { return fmt::format("build assignment for courier {} and parcel {}", courier_id, parcel_id); };
  if (Error err = group.wait()) return Result<Assignment>::failure(wrap(what(), err));
  auto route = plan_route(parent, courier, parcel);
  if (!route.ok()) return Result<Assignment>::failure(wrap(what() + ": plan route", route.err));
  return Result<Assignment>::success(Assignment{courier, parcel, *route.value});
}

}  // namespace lockstep::scenarios
