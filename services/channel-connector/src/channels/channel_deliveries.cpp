#include "channels/channel_deliveries.hpp"

#include <set>

#include "botfactory/common/ids.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/tenant.hpp"
#include "channels/channel_repository.hpp"
#include "pipeline/pipeline_ports.hpp"

namespace botfactory::channel {

ChannelDeliveries::ChannelDeliveries(ChannelRepository& channels, ChannelDeliveryRepository& deliveries)
    : channels_(channels), deliveries_(deliveries), log_(common::logger("channels")) {}

void ChannelDeliveries::require_channel(const std::string& tenant_id, const std::string& bot_id,
                                        const std::string& channel_id) {
  rpc::require_tenant(tenant_id);
  if (!common::is_uuid(bot_id)) rpc::throw_not_found("bot not found");
  if (!common::is_uuid(channel_id)) rpc::throw_not_found("channel not found");
  // Another tenant's (or another bot's) channel is NOT_FOUND, never FORBIDDEN: nothing leaks.
  if (!channels_.get(channel_id, tenant_id, bot_id)) rpc::throw_not_found("channel not found");
}

std::vector<FailedDeliveryRow> ChannelDeliveries::list_failed(const std::string& tenant_id,
                                                              const std::string& bot_id,
                                                              const std::string& channel_id, int limit) {
  if (limit == 0) limit = kDefaultListLimit;
  if (limit < 1 || limit > kMaxListLimit) {
    rpc::throw_invalid("limit must be between 1 and " + std::to_string(kMaxListLimit));
  }
  require_channel(tenant_id, bot_id, channel_id);
  return deliveries_.list_failed(channel_id, limit);
}

int ChannelDeliveries::replay(const std::string& tenant_id, const std::string& bot_id,
                              const std::string& channel_id, const std::vector<std::int64_t>& ids) {
  if (ids.size() > kMaxReplayIds) {
    rpc::throw_invalid("at most " + std::to_string(kMaxReplayIds) + " ids a call");
  }
  for (auto id : ids) {
    if (id <= 0) rpc::throw_invalid("ids must be positive delivery ids");
  }
  require_channel(tenant_id, bot_id, channel_id);
  auto conversations = deliveries_.replay(channel_id, ids, kMaxReplay);
  log_->info("channel {}: {} failed message(s) replayed (tenant {})", channel_id, conversations.size(),
             tenant_id);
  if (auto* listener = listener_.load()) {
    for (const auto& conversation : std::set<std::string>(conversations.begin(), conversations.end())) {
      listener->on_outbound(conversation);
    }
  }
  return static_cast<int>(conversations.size());
}

}  // namespace botfactory::channel
