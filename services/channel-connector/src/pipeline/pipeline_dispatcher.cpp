#include "pipeline/pipeline_dispatcher.hpp"

#include <algorithm>

#include "pipeline/bot_pipeline.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/request_id.hpp"
#include "botfactory/metrics/registry.hpp"

namespace botfactory::channel {
namespace {

constexpr const char* kDroppedMetric = "chat_pipeline_dropped_total";
constexpr const char* kDroppedHelp =
    "Visitor messages not answered because the pipeline queue (whole or the tenant's) was full";

}  // namespace

FairQueueLimits fair_limits(const DispatchSettings& settings) {
  std::size_t threads = settings.threads == 0 ? 1 : settings.threads;
  std::size_t running =
      settings.tenant_max_running == 0 ? (threads + 1) / 2 : settings.tenant_max_running;
  std::size_t burst = settings.tenant_burst_running == 0 ? std::max<std::size_t>(threads - 1, 1)
                                                         : settings.tenant_burst_running;
  return FairQueueLimits{settings.queue_capacity, settings.tenant_queue_capacity, running,
                         std::max(burst, running)};
}

PipelineDispatcher::PipelineDispatcher(BotPipeline& pipeline, DispatchSettings settings,
                                       metrics::Registry& registry)
    : pipeline_(pipeline),
      dropped_full_(registry.counter(kDroppedMetric, kDroppedHelp, R"(reason="queue_full")")),
      dropped_tenant_full_(
          registry.counter(kDroppedMetric, kDroppedHelp, R"(reason="tenant_queue_full")")),
      queued_(registry.gauge("chat_pipeline_queue_depth", "Visitor messages waiting for a worker")),
      tenants_(registry.gauge("chat_pipeline_active_tenants",
                              "Tenants with visitor messages waiting or being answered")),
      limits_(fair_limits(settings)),
      pool_(settings.threads, limits_, "pipeline") {}

bool PipelineDispatcher::has_room(const std::string& tenant_id, std::size_t headroom) const {
  return pool_.queued(tenant_id) + headroom <= limits_.key_capacity &&
         pool_.queued() + headroom <= limits_.total_capacity;
}

void PipelineDispatcher::on_visitor_message(const VisitorMessage& message) {
  // The reply belongs to the request that posted the visitor message: same request id in the
  // logs and in the pipeline's calls (registry, subscription, ai-proxy).
  auto refusal = pool_.submit(
      message.tenant_id, [this, message, request_id = common::current_request_id()] {
        common::ScopedRequestId scope(request_id);
        queued_.set(static_cast<std::int64_t>(pool_.queued()));
        tenants_.set(static_cast<std::int64_t>(pool_.active_keys()));
        pipeline_.run(message);
        if (finished_) finished_(message);
      });
  queued_.set(static_cast<std::int64_t>(pool_.queued()));
  tenants_.set(static_cast<std::int64_t>(pool_.active_keys()));
  if (refusal == FairQueue::Refusal::kNone) return;
  if (finished_) finished_(message);
  bool tenant_full = refusal == FairQueue::Refusal::kKeyFull;
  (tenant_full ? dropped_tenant_full_ : dropped_full_).inc();
  common::logger("pipeline")
      ->warn("conversation {}: {} full or stopped, seq {} left unanswered",
             message.conversation_id,
             tenant_full ? "the queue of tenant " + message.tenant_id : std::string("pipeline queue"),
             message.seq);
}

}  // namespace botfactory::channel
