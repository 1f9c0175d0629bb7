#include "channels/channel_delivery_repository.hpp"

#include "botfactory/pg/pool.hpp"

namespace botfactory::channel {
namespace {

#define BF_FAILED_ROW "(o.state IN ('failed', 'window_closed') OR o.delivery_status = 'failed')"

constexpr const char* kListFailed =
    "SELECT o.id, COALESCE(v.external_chat_id, ''), "
    "CASE WHEN char_length(m.text) > 80 THEN left(m.text, 79) || '\xE2\x80\xA6' ELSE m.text END, "
    "o.attempts, o.last_error, "
    "COALESCE((extract(epoch from COALESCE(o.failed_at, o.delivery_status_at, o.created_at)) * 1000000)::bigint, 0), "
    "CASE WHEN o.state = 'window_closed' THEN 'window_closed' ELSE 'failed' END "
    "FROM chat.channel_outbox o JOIN chat.messages m ON m.id = o.message_id "
    "LEFT JOIN chat.conversations v ON v.id = o.conversation_id "
    "WHERE o.channel_id = $1 AND " BF_FAILED_ROW " ORDER BY o.id DESC LIMIT $2";

// $2: a bigint[] literal of the chosen ids, or NULL for all.
constexpr const char* kReplay =
    "UPDATE chat.channel_outbox o SET state = 'pending', attempts = 0, next_attempt_at = now(), "
    "lease_until = NULL, failed_at = NULL, replays = o.replays + 1, "
    "parts_sent = CASE WHEN o.state = 'sent' THEN 0 ELSE o.parts_sent END, "
    "external_message_id = CASE WHEN o.state = 'sent' THEN NULL ELSE o.external_message_id END, "
    "delivery_status = '', delivery_status_at = NULL "
    "FROM (SELECT id FROM chat.channel_outbox o WHERE o.channel_id = $1 AND " BF_FAILED_ROW
    " AND ($2::bigint[] IS NULL OR o.id = ANY($2::bigint[])) ORDER BY o.id LIMIT $3 "
    "FOR UPDATE SKIP LOCKED) chosen WHERE o.id = chosen.id RETURNING o.conversation_id";

#undef BF_FAILED_ROW

}  // namespace

ChannelDeliveryRepository::ChannelDeliveryRepository(pg::Pool& pool) : pool_(pool) {}

std::vector<FailedDeliveryRow> ChannelDeliveryRepository::list_failed(const std::string& channel_id,
                                                                      int limit) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kListFailed, {channel_id, std::to_string(limit)});
  std::vector<FailedDeliveryRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    FailedDeliveryRow row;
    row.id = r.int64(i, 0);
    row.chat_id = r.str(i, 1);
    row.text_preview = r.str(i, 2);
    row.attempts = static_cast<int>(r.int64(i, 3));
    row.last_error = r.str(i, 4);
    row.failed_at_us = r.int64(i, 5);
    row.status = r.str(i, 6);
    out.push_back(std::move(row));
  }
  return out;
}

std::vector<std::string> ChannelDeliveryRepository::replay(const std::string& channel_id,
                                                           const std::vector<std::int64_t>& ids,
                                                           int max_rows) {
  pg::Param chosen;
  if (!ids.empty()) {
    std::string literal = "{";
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i) literal += ',';
      literal += std::to_string(ids[i]);
    }
    chosen = literal + "}";
  }
  auto connection = pool_.acquire();
  auto r = connection->exec(kReplay, {channel_id, chosen, std::to_string(max_rows)});
  std::vector<std::string> conversations;
  for (int i = 0; i < r.rows(); ++i) conversations.push_back(r.str(i, 0));
  return conversations;
}

}  // namespace botfactory::channel
