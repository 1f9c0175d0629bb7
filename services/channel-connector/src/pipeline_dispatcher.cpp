#include "pipeline_dispatcher.hpp"

#include "bot_pipeline.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/request_id.hpp"
#include "botfactory/metrics/registry.hpp"

namespace botfactory::channel {

PipelineDispatcher::PipelineDispatcher(BotPipeline& pipeline, std::size_t threads,
                                       std::size_t queue_capacity, metrics::Registry& registry)
    : pipeline_(pipeline),
      dropped_(registry.counter("chat_pipeline_dropped_total",
                                "Visitor messages not answered because the pipeline queue was full")),
      queued_(registry.gauge("chat_pipeline_queue_depth", "Visitor messages waiting for a worker")),
      pool_(threads, queue_capacity, "pipeline") {}

void PipelineDispatcher::on_visitor_message(const VisitorMessage& message) {
  // The reply belongs to the request that posted the visitor message: same request id in the
  // logs and in the pipeline's calls (registry, subscription, ai-proxy).
  bool taken = pool_.try_submit([this, message, request_id = common::current_request_id()] {
    common::ScopedRequestId scope(request_id);
    queued_.set(static_cast<std::int64_t>(pool_.queued()));
    pipeline_.run(message);
  });
  if (!taken) {
    dropped_.inc();
    common::logger("pipeline")
        ->warn("conversation {}: pipeline queue full or stopped, seq {} left unanswered",
               message.conversation_id, message.seq);
    return;
  }
  queued_.set(static_cast<std::int64_t>(pool_.queued()));
}

}  // namespace botfactory::channel
