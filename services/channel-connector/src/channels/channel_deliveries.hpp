#pragma once
// A channel's failed outbound messages for its tenant (docs/channels.md "Replaying failed
// messages"): the list, and the replay that puts them back into the durable outbox, where the
// sender delivers them per chat in id order like any other message.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "channels/channel_delivery_repository.hpp"

namespace spdlog {
class logger;
}

namespace botfactory::channel {

class ChannelRepository;
class OutboundListener;

/// Thread-safe. Errors are rpc::StatusError (INVALID_ARGUMENT, NOT_FOUND) or pg::Error.
class ChannelDeliveries {
 public:
  /// Replayed rows per call at most (a tenant with more calls again).
  static constexpr int kMaxReplay = 1000;
  static constexpr int kMaxListLimit = 200;
  static constexpr int kDefaultListLimit = 50;
  /// At most this many ids in one replay request.
  static constexpr std::size_t kMaxReplayIds = 1000;

  /// Both references must outlive the object.
  ChannelDeliveries(ChannelRepository& channels, ChannelDeliveryRepository& deliveries);

  /// Woken (per conversation) after a replay so the sender does not wait for its idle poll.
  void set_outbound_listener(OutboundListener* listener) { listener_.store(listener); }

  /// The failed outbound messages of `channel_id` (of the tenant's bot `bot_id`), newest first;
  /// `limit` 1..200, 0 = 50 (else INVALID_ARGUMENT). NOT_FOUND when the channel is not the
  /// tenant's bot's (another tenant's channel included).
  std::vector<FailedDeliveryRow> list_failed(const std::string& tenant_id, const std::string& bot_id,
                                             const std::string& channel_id, int limit);
  /// Re-queues failed messages of the channel: those in `ids` (≤ 1000 ids, else
  /// INVALID_ARGUMENT; ids not failed or of other channels are skipped), or all when empty (at
  /// most kMaxReplay a call). Returns how many were re-queued. NOT_FOUND as list_failed().
  int replay(const std::string& tenant_id, const std::string& bot_id, const std::string& channel_id,
             const std::vector<std::int64_t>& ids);

 private:
  void require_channel(const std::string& tenant_id, const std::string& bot_id,
                       const std::string& channel_id);

  ChannelRepository& channels_;
  ChannelDeliveryRepository& deliveries_;
  std::atomic<OutboundListener*> listener_{nullptr};
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace botfactory::channel
