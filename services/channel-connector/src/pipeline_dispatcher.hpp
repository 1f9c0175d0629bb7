#pragma once
// Hands committed visitor messages to the bot pipeline on a bounded worker pool.

#include <cstddef>
#include <memory>

#include "pipeline_ports.hpp"
#include "worker_pool.hpp"

namespace botfactory::metrics {
class Counter;
class Gauge;
class Registry;
}  // namespace botfactory::metrics

namespace botfactory::channel {

class BotPipeline;

/// A VisitorMessageListener that runs BotPipeline::run for each message on `threads` workers.
/// When `queue_capacity` messages already wait, the message is dropped, logged and counted
/// (chat_pipeline_dropped_total): the visitor's message stays committed, only the reply is lost.
/// Destruction stops the workers (waiting jobs dropped, running ones finished).
class PipelineDispatcher : public VisitorMessageListener {
 public:
  PipelineDispatcher(BotPipeline& pipeline, std::size_t threads, std::size_t queue_capacity,
                     metrics::Registry& registry);

  void on_visitor_message(const VisitorMessage& message) override;
  /// Stops the workers; later messages are dropped.
  void shutdown() { pool_.shutdown(); }

 private:
  BotPipeline& pipeline_;
  metrics::Counter& dropped_;
  metrics::Gauge& queued_;
  WorkerPool pool_;  // last: its threads use the members above
};

}  // namespace botfactory::channel
