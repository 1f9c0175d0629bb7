#pragma once
// Hands committed visitor messages to the bot pipeline on a bounded worker pool that serves
// tenants fairly (per-tenant queues, round-robin).

#include <cstddef>
#include <functional>
#include <memory>

#include "pipeline/fair_queue.hpp"
#include "pipeline/pipeline_ports.hpp"
#include "pipeline/worker_pool.hpp"

namespace botfactory::metrics {
class Counter;
class Gauge;
class Registry;
}  // namespace botfactory::metrics

namespace botfactory::channel {

class BotPipeline;

/// Bounds of the dispatcher.
struct DispatchSettings {
  /// Worker threads (PIPELINE_THREADS).
  std::size_t threads = 4;
  /// Messages waiting in all tenants together (PIPELINE_QUEUE_CAPACITY).
  std::size_t queue_capacity = 1000;
  /// Messages waiting for one tenant (PIPELINE_TENANT_QUEUE_CAPACITY).
  std::size_t tenant_queue_capacity = 100;
  /// Replies of one tenant running at once (PIPELINE_TENANT_MAX_RUNNING); 0 = half the threads,
  /// rounded up.
  std::size_t tenant_max_running = 0;
  /// Replies of one tenant running at once while no other tenant waits below its share: idle
  /// workers are lent (PIPELINE_TENANT_BURST_RUNNING); 0 = all threads but one (so a newcomer
  /// tenant finds a free worker), never below tenant_max_running.
  std::size_t tenant_burst_running = 0;
};

/// The FairQueue limits `settings` stand for (tenant_max_running 0 resolved).
FairQueueLimits fair_limits(const DispatchSettings& settings);

/// A VisitorMessageListener that runs BotPipeline::run for each message on a WorkerPool keyed by
/// tenant: each tenant has its own bounded queue, tenants with waiting messages are served
/// round-robin, and one tenant runs at most tenant_max_running replies at once while another
/// tenant waits, so the other workers stay free for the other tenants; when nobody else waits, a
/// busy tenant may use idle workers up to tenant_burst_running (FairQueue's borrowers). A message is dropped, logged and counted
/// (chat_pipeline_dropped_total{reason="tenant_queue_full"|"queue_full"}) when its tenant's
/// queue or the whole queue is full: the visitor's message stays committed, only the reply is
/// lost. Destruction stops the workers (waiting jobs dropped, running ones finished).
class PipelineDispatcher : public VisitorMessageListener {
 public:
  PipelineDispatcher(BotPipeline& pipeline, DispatchSettings settings, metrics::Registry& registry);

  void on_visitor_message(const VisitorMessage& message) override;
  /// True when `headroom` more messages of `tenant_id` would fit in its queue and in the whole
  /// queue: the channel inbox posts a tenant's stored updates only then (back-pressure), so a
  /// burst waits in chat.channel_inbox instead of being dropped here.
  bool has_room(const std::string& tenant_id, std::size_t headroom) const;
  /// Stops the workers; later messages are dropped.
  void shutdown() { pool_.shutdown(); }
  /// Called after the pipeline ran a message (whatever its outcome) and when a message was
  /// dropped because a queue was full; not for jobs dropped at shutdown. Set before the first
  /// message; must not throw. The channel inbox frees the chat's next update with it.
  using FinishedHook = std::function<void(const VisitorMessage&)>;
  void set_finished_hook(FinishedHook hook) { finished_ = std::move(hook); }

 private:
  BotPipeline& pipeline_;
  metrics::Counter& dropped_full_;
  metrics::Counter& dropped_tenant_full_;
  metrics::Gauge& queued_;
  metrics::Gauge& tenants_;
  FairQueueLimits limits_;
  FinishedHook finished_;
  WorkerPool pool_;  // last: its threads use the members above
};

}  // namespace botfactory::channel
