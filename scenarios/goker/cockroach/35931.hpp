// GoKer cockroach#35931: flow cancellation pushes to its inbound streams one
// at a time and blocks on a full one. https://github.com/cockroachdb/cockroach/pull/35931
//
// Flow.cancel collects the flow's inbound streams under the registry lock,
// then pushes a cancellation message into each, in turn. The left stream's
// buffer (one row) is already full and nobody reads it, so the canceller
// blocks there and the test with it.
//
// Verdict: `deadlock` on every schedule (FIFO included): fiber "main"
// blocked [chan send] in the left stream's Push; there is no other fiber.
// No fixed twin: the upstream fix stops cancellation from blocking on one
// stream while the flow's reader waits on another; the kernel has no reader
// at all, so a push into the full left stream blocks however it is made.
//
// Port differences from Go: `chan struct{}` is Chan<Empty>; the RowReceiver
// interface is the one RowChannel type; Go's maps (flows, inboundStreams)
// are std::maps, iterated in key order where Go's order is random: the
// left stream is full, so the canceller blocks in either order (in key
// order, first); the registry embeds a Mutex as Go embeds sync.Mutex.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "lockstep.hpp"
#include "scenarios/scenario.hpp"

namespace lockstep::scenarios::cockroach35931 {

struct RowChannel {
  Chan<Empty> data_chan;
  void push() { data_chan.send(Empty{}); }
  void init_with_buf_size_and_num_senders(int chan_buf_size) { data_chan = Chan<Empty>(chan_buf_size); }
};

struct InboundStreamInfo {
  RowChannel* receiver = nullptr;
};

struct Flow;

struct FlowEntry {
  Flow* flow = nullptr;
  std::map<int, InboundStreamInfo> inbound_streams;
};

struct FlowRegistry {
  Mutex mu;
  std::map<int, FlowEntry> flows;  // guarded by mu

  FlowEntry& get_entry_locked(int id) { return flows[id]; }
  std::vector<RowChannel*> cancel_pending_streams_locked(int id) {
    std::vector<RowChannel*> pending;
    for (auto& [_, is] : flows[id].inbound_streams) pending.push_back(is.receiver);
    return pending;
  }
  void register_flow(Flow* f, const std::map<int, InboundStreamInfo>& inbound_streams);
};

struct Flow {
  int id = 0;
  FlowRegistry* flow_registry = nullptr;
  std::map<int, InboundStreamInfo> inbound_streams;

  void cancel() {
    flow_registry->mu.lock();
    std::vector<RowChannel*> timed_out = flow_registry->cancel_pending_streams_locked(id);
    flow_registry->mu.unlock();
    for (RowChannel* receiver : timed_out) receiver->push();  // BUG: one at a time, blocking
  }
};

inline void FlowRegistry::register_flow(Flow* f, const std::map<int, InboundStreamInfo>& inbound_streams) {
  FlowEntry& entry = get_entry_locked(f->id);
  entry.flow = f;
  entry.inbound_streams = inbound_streams;
}

inline void run() {
  FlowRegistry fr;
  RowChannel left, right;
  left.init_with_buf_size_and_num_senders(1);
  right.init_with_buf_size_and_num_senders(1);
  std::map<int, InboundStreamInfo> inbound_streams{{0, {&left}}, {1, {&right}}};
  left.push();
  Flow flow{0, &fr, inbound_streams};
  fr.register_flow(&flow, inbound_streams);
  flow.cancel();
}

inline Scenario scenario() {
  return {"goker/cockroach/35931", "cancellation pushes to inbound streams one at a time and blocks on a full one",
          {sim::Verdict::deadlock, "main", sim::FiberState::blocked, "chan send", "deadlock: all fibers are blocked"},
          "", &run};
}

}  // namespace lockstep::scenarios::cockroach35931
