#include "channels/channel_repository.hpp"

#include <algorithm>
#include <functional>
#include <type_traits>

#include "botfactory/pg/pool.hpp"
#include "channels/channel_core_cache.hpp"

namespace botfactory::channel {
namespace {

#define BF_US(column) "COALESCE((extract(epoch from " column ") * 1000000)::bigint, 0)"
#define BF_CHANNEL_COLUMNS                                                                     \
  "c.id, c.tenant_id, c.bot_id, c.kind, c.mode, c.external_id, c.display_name, "              \
  "encode(c.credentials_nonce, 'hex'), encode(c.credentials_ciphertext, 'hex'), "             \
  "c.credentials_last_four, c.state, c.state_error, c.poll_offset, " BF_US("c.last_inbound_at") \
  ", c.last_delivery_error, " BF_US("c.last_delivery_error_at") ", " BF_US("c.created_at")     \
  ", (SELECT count(*) FROM chat.channel_outbox o WHERE o.channel_id = c.id AND o.state = 'pending')" \
  ", (SELECT count(*) FROM chat.channel_outbox o WHERE o.channel_id = c.id AND o.state = 'failed')" \
  ", (SELECT count(*) FROM chat.channel_outbox o WHERE o.channel_id = c.id AND o.state = 'window_closed')" \
  ", (SELECT count(*) FROM chat.channel_outbox o WHERE o.channel_id = c.id AND "                  \
  "(o.state IN ('failed', 'window_closed') OR o.delivery_status = 'failed')), " BF_US("c.poll_lease_until")
// The same columns with the outbox counts as 0: the hot paths (webhooks, inbox, outbox) need no
// counts (each is a scan of the channel's outbox rows).
#define BF_CHANNEL_CORE_COLUMNS                                                                \
  "c.id, c.tenant_id, c.bot_id, c.kind, c.mode, c.external_id, c.display_name, "              \
  "encode(c.credentials_nonce, 'hex'), encode(c.credentials_ciphertext, 'hex'), "             \
  "c.credentials_last_four, c.state, c.state_error, c.poll_offset, " BF_US("c.last_inbound_at") \
  ", c.last_delivery_error, " BF_US("c.last_delivery_error_at") ", " BF_US("c.created_at")     \
  ", 0::bigint, 0::bigint, 0::bigint, 0::bigint, " BF_US("c.poll_lease_until")

constexpr const char* kLockBot = "SELECT pg_advisory_xact_lock(hashtext('chat.channels:' || $1))";
constexpr const char* kCountBotChannels =
    "SELECT count(*) FROM chat.channels WHERE tenant_id = $1 AND bot_id = $2";
constexpr const char* kInsertChannel =
    "INSERT INTO chat.channels (id, tenant_id, bot_id, kind, mode, external_id, display_name, "
    "credentials_nonce, credentials_ciphertext, credentials_last_four) VALUES ($1, $2, $3, $4, $5, "
    "$6, $7, decode($8, 'hex'), decode($9, 'hex'), $10) ON CONFLICT (kind, external_id) DO NOTHING";
constexpr const char* kListChannels =
    "SELECT " BF_CHANNEL_COLUMNS " FROM chat.channels c WHERE c.tenant_id = $1 AND c.bot_id = $2 "
    "ORDER BY c.created_at, c.id";
constexpr const char* kGetChannel =
    "SELECT " BF_CHANNEL_COLUMNS " FROM chat.channels c WHERE c.id = $1 "
    "AND ($2::uuid IS NULL OR c.tenant_id = $2::uuid) AND ($3::uuid IS NULL OR c.bot_id = $3::uuid)";
constexpr const char* kGetChannelCore =
    "SELECT " BF_CHANNEL_CORE_COLUMNS " FROM chat.channels c WHERE c.id = $1";
constexpr const char* kDeleteChannel =
    "DELETE FROM chat.channels WHERE id = $1 AND tenant_id = $2 AND bot_id = $3";
constexpr const char* kSetState = "UPDATE chat.channels SET state = $2, state_error = $3 WHERE id = $1";
constexpr const char* kSetDeliveryError =
    "UPDATE chat.channels SET last_delivery_error = $2, "
    "last_delivery_error_at = CASE WHEN $2 = '' THEN last_delivery_error_at ELSE now() END "
    "WHERE id = $1 AND (last_delivery_error <> '' OR $2 <> '')";
constexpr const char* kClearDeliveryError =
    "UPDATE chat.channels c SET last_delivery_error = '' "
    "WHERE c.id = $1 AND c.last_delivery_error <> '' AND " BF_US("c.last_delivery_error_at") " <= $2::bigint";
constexpr const char* kLeasePolling =
    "UPDATE chat.channels c SET poll_owner = $1, poll_lease_until = now() + $2 * interval '1 millisecond' "
    "WHERE c.mode = 'polling' AND (c.poll_lease_until IS NULL OR c.poll_lease_until < now() "
    "OR c.poll_owner = $1) RETURNING " BF_CHANNEL_COLUMNS;
constexpr const char* kStoreInbound =
    "INSERT INTO chat.channel_inbox (channel_id, external_id, payload, chat_key) VALUES ($1, $2, $3, "
    "CASE WHEN $4 = '' THEN '#' || $2 ELSE $4 END) "
    "ON CONFLICT (channel_id, external_id) DO NOTHING";
// At most one write a second per channel: at hundreds of updates a second, every webhook
// rewriting the one channel row serialized them on its row lock (~1 ms each, benchmarks.md).
constexpr const char* kTouchInbound =
    "UPDATE chat.channels SET last_inbound_at = now() WHERE id = $1 "
    "AND (last_inbound_at IS NULL OR last_inbound_at < now() - interval '1 second')";
// The webhook's store in one statement (one implicit transaction, one round trip): the insert
// and, at most once a second, the channel's last_inbound_at (a data-modifying CTE always runs).
constexpr const char* kStoreWebhook =
    "WITH stored AS (INSERT INTO chat.channel_inbox (channel_id, external_id, payload, chat_key) "
    "VALUES ($1, $2, $3, CASE WHEN $4 = '' THEN '#' || $2 ELSE $4 END) "
    "ON CONFLICT (channel_id, external_id) DO NOTHING RETURNING 1), "
    "touched AS (UPDATE chat.channels SET last_inbound_at = now() WHERE id = $1 "
    "AND (last_inbound_at IS NULL OR last_inbound_at < now() - interval '1 second') RETURNING 1) "
    "SELECT (SELECT count(*) FROM stored)";
constexpr const char* kAdvanceOffset =
    "UPDATE chat.channels SET poll_offset = GREATEST(poll_offset, $2) WHERE id = $1";
// The head (oldest open row) of each chat, when free; the outer row re-checks state and lease,
// so of two replicas claiming at once the second finds the first one's lease (READ COMMITTED
// re-evaluates the WHERE on the row it waited for) and a chat's later rows are never heads
// while an earlier one is open.
constexpr const char* kClaimInbox =
    "UPDATE chat.channel_inbox i SET lease_until = now() + $2 * interval '1 millisecond', "
    "lease_owner = $4, attempts = i.attempts + 1, updated_at = now() "
    "FROM (SELECT h.id FROM (SELECT DISTINCT ON (channel_id, chat_key) id, channel_id, lease_until "
    "FROM chat.channel_inbox WHERE state IN ('pending', 'posted') ORDER BY channel_id, chat_key, id) h "
    "WHERE (h.lease_until IS NULL OR h.lease_until < now()) AND h.channel_id <> ALL ($3::uuid[]) "
    "ORDER BY h.id LIMIT $1) due WHERE i.id = due.id AND i.state IN ('pending', 'posted') "
    "AND (i.lease_until IS NULL OR i.lease_until < now()) "
    "RETURNING i.id, i.channel_id, i.payload, i.state, i.attempts";
constexpr const char* kRenewInbox =
    "UPDATE chat.channel_inbox SET lease_until = now() + $3 * interval '1 millisecond' "
    "WHERE id = ANY ($1::bigint[]) AND lease_owner = $2 AND state IN ('pending', 'posted')";
constexpr const char* kRenewOutbox =
    "UPDATE chat.channel_outbox SET lease_until = now() + $3 * interval '1 millisecond' "
    "WHERE id = ANY ($1::bigint[]) AND lease_owner = $2 AND state = 'pending' AND lease_until IS NOT NULL";
constexpr const char* kInboxRelease =
    "UPDATE chat.channel_inbox SET lease_until = NULL, lease_owner = NULL, attempts = GREATEST(attempts - 1, 0) "
    "WHERE id = ANY ($1::bigint[]) AND state = 'pending'";
constexpr const char* kInboxPosted =
    "UPDATE chat.channel_inbox SET state = 'posted', message_id = $2, attempts = 0, "
    "lease_until = now() + $3 * interval '1 millisecond', updated_at = now() WHERE id = $1";
// Also answers whether the row's chat has another open row (its next update, which no claim
// could take while this one was the head): the inbox looks for work again only then.
constexpr const char* kInboxFinished =
    "WITH finished AS (UPDATE chat.channel_inbox SET state = $2, last_error = $3, lease_until = NULL, "
    "lease_owner = NULL, updated_at = now() WHERE id = $1 RETURNING channel_id, chat_key) "
    "SELECT EXISTS (SELECT 1 FROM chat.channel_inbox i JOIN finished f ON i.channel_id = f.channel_id "
    "AND i.chat_key = f.chat_key WHERE i.state IN ('pending', 'posted') AND i.id <> $1)";
constexpr const char* kPostedInbound =
    "SELECT i.id, i.attempts, EXISTS (SELECT 1 FROM chat.messages r WHERE r.conversation_id = "
    "m.conversation_id AND r.client_id = 'bot-reply-' || m.id::text), c.tenant_id, c.bot_id, "
    "m.conversation_id, m.id, m.seq, m.text, m.sender_id FROM chat.channel_inbox i "
    "JOIN chat.messages m ON m.id = i.message_id JOIN chat.conversations c ON c.id = m.conversation_id "
    "WHERE i.id = $1 AND i.state = 'posted'";
// A chat writing again within a minute with the same name, still active, is only read (no new
// row version per update: every update rewrote the conversation row before the append did it
// again); otherwise created or refreshed. last_customer_message_at (WhatsApp's 24-hour window)
// may so be up to a minute old: the window closes at most that much early, never late.
constexpr const char* kConversationForChat =
    "WITH found AS (SELECT id FROM chat.conversations WHERE channel_id = $6::uuid AND external_chat_id = $7::text "
    "AND visitor_name = $5::text AND NOT chat_inactive AND last_customer_message_at > now() - interval '1 minute'), "
    "up AS (INSERT INTO chat.conversations (tenant_id, bot_id, channel, visitor_id, visitor_name, "
    "channel_id, external_chat_id, last_customer_message_at) SELECT $1::uuid, $2::uuid, $3::text, $4::text, $5::text, $6::uuid, $7::text, now() "
    "WHERE NOT EXISTS (SELECT 1 FROM found) "
    "ON CONFLICT (channel_id, external_chat_id) WHERE channel_id IS NOT NULL DO UPDATE SET "
    "visitor_name = EXCLUDED.visitor_name, chat_inactive = false, last_customer_message_at = now() "
    "RETURNING id) "
    "SELECT id FROM up UNION ALL SELECT id FROM found LIMIT 1";
// The head (oldest pending row) of each conversation, when due and free; FOR UPDATE SKIP LOCKED
// on the outer rows keeps two claimers from taking the same row.
constexpr const char* kClaimOutbox =
    "UPDATE chat.channel_outbox o SET lease_until = now() + $2 * interval '1 millisecond', "
    "lease_owner = NULLIF($3, '') "
    "FROM (SELECT h.id FROM (SELECT DISTINCT ON (conversation_id) id, next_attempt_at, lease_until "
    "FROM chat.channel_outbox WHERE state = 'pending' ORDER BY conversation_id, id) h "
    "WHERE h.next_attempt_at <= now() AND (h.lease_until IS NULL OR h.lease_until < now()) "
    "ORDER BY h.id LIMIT $1) due WHERE o.id = due.id AND o.state = 'pending' "
    "AND (o.lease_until IS NULL OR o.lease_until < now()) "
    "RETURNING o.id, o.channel_id, o.conversation_id, o.message_id, o.attempts, o.parts_sent, "
    "(SELECT text FROM chat.messages m WHERE m.id = o.message_id), "
    "(SELECT sources::text FROM chat.messages m WHERE m.id = o.message_id), "
    "(SELECT external_chat_id FROM chat.conversations v WHERE v.id = o.conversation_id), "
    "(SELECT chat_inactive FROM chat.conversations v WHERE v.id = o.conversation_id), "
    "(SELECT COALESCE((extract(epoch from last_customer_message_at) * 1000000)::bigint, 0) "
    "FROM chat.conversations v WHERE v.id = o.conversation_id), o.language, "
    // tgrate: the seq of a rateable reply (message_feedback.cpp's rule), else 0.
    "(SELECT CASE WHEN m.sender_kind = 'bot' AND m.answered IS NOT NULL AND m.deleted_at IS NULL "
    "THEN m.seq ELSE 0 END FROM chat.messages m WHERE m.id = o.message_id)";
// tgrate: $1 channel, $2 external chat id, $3 seq. The chat's conversation (unique per channel
// and chat) and a language for the answer: the pressed message's outbox row's, else the newest
// bot row's of the conversation.
constexpr const char* kRatingChat =
    "SELECT c.id::text, COALESCE((SELECT o.language FROM chat.messages m "
    "JOIN chat.channel_outbox o ON o.message_id = m.id WHERE m.conversation_id = c.id AND m.seq = $3), "
    "(SELECT o.language FROM chat.channel_outbox o WHERE o.conversation_id = c.id AND o.language <> '' "
    "ORDER BY o.id DESC LIMIT 1), '') "
    "FROM chat.conversations c WHERE c.channel_id = $1::uuid AND c.external_chat_id = $2::text";
// Also answers whether the conversation has another pending row (its next message, which no
// claim could take while this one was the head): the sender claims again only then.
constexpr const char* kOutboxSent =
    "WITH sent AS (UPDATE chat.channel_outbox SET state = 'sent', sent_at = now(), lease_until = NULL, "
    "last_error = '', external_message_id = NULLIF($2, '') WHERE id = $1 RETURNING conversation_id) "
    "SELECT EXISTS (SELECT 1 FROM chat.channel_outbox o JOIN sent ON o.conversation_id = sent.conversation_id "
    "WHERE o.state = 'pending' AND o.id <> $1)";
constexpr const char* kOutboxWindowClosed =
    "UPDATE chat.channel_outbox SET state = 'window_closed', last_error = $2, lease_until = NULL, "
    "failed_at = now() "
    "WHERE id = $1";
// Status order of the Cloud API (sent → delivered → read; failed last): a status never moves a
// row backwards when Meta's webhook calls arrive out of order.
#define BF_STATUS_RANK(x) \
  "(CASE " x " WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 " \
  "WHEN 'failed' THEN 4 ELSE 0 END)"
// A status is first kept here (it may come before the send stored the message id), then moved
// onto the outbox row by kApplyEarlyStatus once that row carries the id.
constexpr const char* kKeepEarlyStatus =
    "INSERT INTO chat.channel_early_statuses AS e (channel_id, external_message_id, status, error) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (channel_id, external_message_id) DO UPDATE SET "
    "status = EXCLUDED.status, error = EXCLUDED.error, received_at = now() "
    "WHERE " BF_STATUS_RANK("EXCLUDED.status") " >= " BF_STATUS_RANK("e.status");
// Moves the kept status of (channel $1, message id $2) onto its outbox row, if that row exists.
// Both the webhook (after keeping) and the sender (after storing the id) run it: whichever comes
// second finds the other's write, and the DELETE lets only one of them apply it.
constexpr const char* kApplyEarlyStatus =
    "WITH e AS (DELETE FROM chat.channel_early_statuses d WHERE d.channel_id = $1 "
    "AND d.external_message_id = $2 AND EXISTS (SELECT 1 FROM chat.channel_outbox o "
    "WHERE o.channel_id = $1 AND o.external_message_id = $2) "
    "RETURNING d.status, d.error, d.received_at) "
    "UPDATE chat.channel_outbox o SET delivery_status = e.status, delivery_status_at = e.received_at, "
    "last_error = CASE WHEN e.error = '' THEN o.last_error ELSE e.error END, "
    "failed_at = CASE WHEN e.status = 'failed' THEN now() ELSE o.failed_at END "
    "FROM e WHERE o.channel_id = $1 AND o.external_message_id = $2 "
    "AND " BF_STATUS_RANK("e.status") " >= " BF_STATUS_RANK("o.delivery_status");
// Statuses kept for a message id no send ever stored (another system's send on the same number).
constexpr const char* kDropStaleEarlyStatuses =
    "DELETE FROM chat.channel_early_statuses WHERE received_at < now() - interval '1 day'";
constexpr const char* kOutboxChannel = "SELECT channel_id FROM chat.channel_outbox WHERE id = $1";
constexpr const char* kOutboxRetry =
    "UPDATE chat.channel_outbox SET next_attempt_at = now() + $2 * interval '1 millisecond', "
    "parts_sent = $3, last_error = $4, attempts = attempts + $5, lease_until = NULL WHERE id = $1";
constexpr const char* kOutboxFailed =
    "UPDATE chat.channel_outbox SET state = 'failed', last_error = $2, attempts = attempts + 1, "
    "lease_until = NULL, failed_at = now() WHERE id = $1";
constexpr const char* kChatInactive =
    "UPDATE chat.conversations SET chat_inactive = true WHERE id = $1";
constexpr const char* kAwaitingBotReply =
    "SELECT count(*) FROM chat.conversations c JOIN chat.messages m "
    "ON m.conversation_id = c.id AND m.seq = c.last_seq "
    "WHERE c.id = $1 AND c.handler = 'bot' AND m.sender_kind = 'visitor'";

#undef BF_CHANNEL_COLUMNS
#undef BF_CHANNEL_CORE_COLUMNS
#undef BF_US

pg::Param optional_param(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return value;
}

std::string from_hex(std::string_view hex) {
  std::string out;
  out.reserve(hex.size() / 2);
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 0;
  };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  }
  return out;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

ChannelRecord read_channel(const pg::Result& r, int row) {
  ChannelRecord c;
  c.id = r.str(row, 0);
  c.tenant_id = r.str(row, 1);
  c.bot_id = r.str(row, 2);
  c.kind = r.str(row, 3);
  c.mode = r.str(row, 4);
  c.external_id = r.str(row, 5);
  c.display_name = r.str(row, 6);
  c.credentials.nonce = from_hex(r.text(row, 7));
  c.credentials.ciphertext = from_hex(r.text(row, 8));
  c.last_four = r.str(row, 9);
  c.state = r.str(row, 10);
  c.state_error = r.str(row, 11);
  c.poll_offset = r.int64(row, 12);
  c.last_inbound_at_us = r.int64(row, 13);
  c.last_delivery_error = r.str(row, 14);
  c.last_delivery_error_at_us = r.int64(row, 15);
  c.created_at_us = r.int64(row, 16);
  c.pending_outbound = r.int64(row, 17);
  c.failed_outbound = r.int64(row, 18);
  c.window_closed_outbound = r.int64(row, 19);
  c.failed_deliveries = r.int64(row, 20);
  c.poll_lease_until_us = r.int64(row, 21);
  return c;
}

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()); }

}  // namespace

ChannelRepository::ChannelRepository(pg::Pool& pool) : pool_(pool) {}

ChannelRepository::~ChannelRepository() = default;

void ChannelRepository::cache_core(std::chrono::milliseconds ttl, std::size_t max_entries) {
  core_cache_ = ttl.count() > 0 ? std::make_unique<ChannelCoreCache>(ttl, max_entries) : nullptr;
}

ChannelRepository::InsertOutcome ChannelRepository::insert(const NewChannel& c, int max_channels) {
  auto connection = pool_.acquire();
  pg::Transaction tx(*connection);
  connection->exec(kLockBot, {c.bot_id});
  if (max_channels >= 0) {
    auto count = connection->exec(kCountBotChannels, {c.tenant_id, c.bot_id});
    if (count.int64(0, 0) >= max_channels) return InsertOutcome::kLimitReached;
  }
  auto inserted = connection->exec(
      kInsertChannel, {c.id, c.tenant_id, c.bot_id, c.kind, c.mode, c.external_id, c.display_name,
                       to_hex(c.credentials.nonce), to_hex(c.credentials.ciphertext), c.last_four});
  if (inserted.affected() == 0) return InsertOutcome::kDuplicate;
  tx.commit();
  return InsertOutcome::kInserted;
}

std::vector<ChannelRecord> ChannelRepository::list(const std::string& tenant_id,
                                                   const std::string& bot_id) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kListChannels, {tenant_id, bot_id});
  std::vector<ChannelRecord> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(read_channel(r, i));
  return out;
}

std::optional<ChannelRecord> ChannelRepository::get(const std::string& channel_id,
                                                    const std::string& tenant_id,
                                                    const std::string& bot_id) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kGetChannel, {channel_id, optional_param(tenant_id), optional_param(bot_id)});
  if (r.rows() == 0) return std::nullopt;
  return read_channel(r, 0);
}

std::optional<ChannelRecord> ChannelRepository::get_core(const std::string& channel_id) {
  if (core_cache_) {
    return core_cache_->get(channel_id, [&]() -> std::optional<ChannelRecord> {
      auto connection = pool_.acquire();
      auto r = connection->exec_prepared("cc_get_channel_core", kGetChannelCore, {channel_id});
      if (r.rows() == 0) return std::nullopt;
      return read_channel(r, 0);
    });
  }
  auto connection = pool_.acquire();
  auto r = connection->exec_prepared("cc_get_channel_core", kGetChannelCore, {channel_id});
  if (r.rows() == 0) return std::nullopt;
  return read_channel(r, 0);
}

bool ChannelRepository::remove(const std::string& channel_id, const std::string& tenant_id,
                               const std::string& bot_id) {
  if (core_cache_) core_cache_->invalidate(channel_id);
  auto connection = pool_.acquire();
  bool removed = connection->exec(kDeleteChannel, {channel_id, tenant_id, bot_id}).affected() > 0;
  if (core_cache_) core_cache_->invalidate(channel_id);
  return removed;
}

void ChannelRepository::set_state(const std::string& channel_id, const std::string& state,
                                  const std::string& error) {
  auto connection = pool_.acquire();
  connection->exec(kSetState, {channel_id, state, error});
  if (core_cache_) core_cache_->invalidate(channel_id);
}

void ChannelRepository::set_delivery_error(const std::string& channel_id, const std::string& error) {
  auto connection = pool_.acquire();
  connection->exec(kSetDeliveryError, {channel_id, error});
  if (core_cache_) core_cache_->invalidate(channel_id);
}

void ChannelRepository::clear_delivery_error(const std::string& channel_id, std::int64_t seen_error_at_us) {
  auto connection = pool_.acquire();
  connection->exec(kClearDeliveryError, {channel_id, std::to_string(seen_error_at_us)});
  if (core_cache_) core_cache_->invalidate(channel_id);
}

std::vector<ChannelRecord> ChannelRepository::lease_polling(const std::string& owner,
                                                            std::chrono::milliseconds lease) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kLeasePolling, {owner, ms(lease)});
  std::vector<ChannelRecord> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(read_channel(r, i));
  return out;
}

bool ChannelRepository::store_inbound(const std::string& channel_id, const std::string& external_id,
                                      const std::string& payload, const std::string& chat_key) {
  auto connection = pool_.acquire();
  return connection->exec_prepared("cc_store_webhook", kStoreWebhook, {channel_id, external_id, payload, chat_key})
             .int64(0, 0) > 0;
}

int ChannelRepository::store_polled(const std::string& channel_id,
                                    const std::vector<InboundUpdate>& updates,
                                    std::int64_t next_offset) {
  auto connection = pool_.acquire();
  pg::Transaction tx(*connection);
  int inserted = 0;
  for (const auto& u : updates) {
    inserted += connection->exec_prepared("cc_store_inbound", kStoreInbound, {channel_id, u.external_id, u.payload, u.chat_key})
                    .affected() > 0;
  }
  if (!updates.empty()) connection->exec_prepared("cc_touch_inbound", kTouchInbound, {channel_id});
  connection->exec(kAdvanceOffset, {channel_id, std::to_string(next_offset)});
  tx.commit();
  return inserted;
}

namespace {

/// A PostgreSQL array literal of plain tokens (uuids, integers: nothing to quote).
template <typename T>
std::string array_literal(const std::vector<T>& items) {
  std::string out = "{";
  for (const auto& item : items) {
    if (out.size() > 1) out += ',';
    if constexpr (std::is_same_v<T, std::string>) {
      out += item;
    } else {
      out += std::to_string(item);
    }
  }
  return out + "}";
}

}  // namespace

std::vector<InboxRow> ChannelRepository::claim_inbox(int limit, std::chrono::milliseconds lease,
                                                     const std::string& owner,
                                                     const std::vector<std::string>& skip_channels) {
  auto connection = pool_.acquire();
  auto r = connection->exec_prepared("cc_claim_inbox", kClaimInbox,
                            {std::to_string(limit), ms(lease), array_literal(skip_channels), owner});
  std::vector<InboxRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(InboxRow{r.int64(i, 0), r.str(i, 1), r.str(i, 2), r.str(i, 3),
                           static_cast<int>(r.int64(i, 4))});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

void ChannelRepository::inbox_release(const std::vector<std::int64_t>& inbox_ids) {
  if (inbox_ids.empty()) return;
  auto connection = pool_.acquire();
  connection->exec_prepared("cc_inbox_release", kInboxRelease, {array_literal(inbox_ids)});
}

void ChannelRepository::inbox_posted(std::int64_t inbox_id, const std::string& message_id,
                                     std::chrono::milliseconds lease) {
  auto connection = pool_.acquire();
  connection->exec_prepared("cc_inbox_posted", kInboxPosted, {std::to_string(inbox_id), message_id, ms(lease)});
}

bool ChannelRepository::inbox_finished(std::int64_t inbox_id, const std::string& state,
                                       const std::string& error) {
  auto connection = pool_.acquire();
  return connection->exec_prepared("cc_inbox_finished", kInboxFinished, {std::to_string(inbox_id), state, error})
      .boolean(0, 0);
}

std::optional<PostedInbound> ChannelRepository::posted_inbound(std::int64_t inbox_id) {
  auto connection = pool_.acquire();
  auto r = connection->exec_prepared("cc_posted_inbound", kPostedInbound, {std::to_string(inbox_id)});
  if (r.rows() == 0) return std::nullopt;
  PostedInbound p;
  p.inbox_id = r.int64(0, 0);
  p.attempts = static_cast<int>(r.int64(0, 1));
  p.replied = r.boolean(0, 2);
  p.tenant_id = r.str(0, 3);
  p.bot_id = r.str(0, 4);
  p.conversation_id = r.str(0, 5);
  p.message_id = r.str(0, 6);
  p.seq = r.int64(0, 7);
  p.text = r.str(0, 8);
  p.sender_id = r.str(0, 9);
  return p;
}

int ChannelRepository::renew_inbox(const std::vector<std::int64_t>& ids, const std::string& owner,
                                   std::chrono::milliseconds lease) {
  if (ids.empty()) return 0;
  auto connection = pool_.acquire();
  return static_cast<int>(connection->exec_prepared("cc_renew_inbox", kRenewInbox, {array_literal(ids), owner, ms(lease)}).affected());
}

int ChannelRepository::renew_outbox(const std::vector<std::int64_t>& ids, const std::string& owner,
                                    std::chrono::milliseconds lease) {
  if (ids.empty()) return 0;
  auto connection = pool_.acquire();
  return static_cast<int>(connection->exec_prepared("cc_renew_outbox", kRenewOutbox, {array_literal(ids), owner, ms(lease)}).affected());
}

std::string ChannelRepository::conversation_for_chat(const ChannelRecord& channel,
                                                     const std::string& external_chat_id,
                                                     const std::string& visitor_id,
                                                     const std::string& visitor_name) {
  auto connection = pool_.acquire();
  auto r = connection->exec_prepared("cc_conversation_for_chat", kConversationForChat,
                            {channel.tenant_id, channel.bot_id, channel.kind, visitor_id,
                             visitor_name, channel.id, external_chat_id});
  return r.str(0, 0);
}

std::vector<OutboxJob> ChannelRepository::claim_outbox(int limit, std::chrono::milliseconds lease,
                                                       const std::string& owner) {
  auto connection = pool_.acquire();
  auto r = connection->exec_prepared("cc_claim_outbox", kClaimOutbox, {std::to_string(limit), ms(lease), owner});
  std::vector<OutboxJob> out;
  for (int i = 0; i < r.rows(); ++i) {
    OutboxJob j;
    j.id = r.int64(i, 0);
    j.channel_id = r.str(i, 1);
    j.conversation_id = r.str(i, 2);
    j.message_id = r.str(i, 3);
    j.attempts = static_cast<int>(r.int64(i, 4));
    j.parts_sent = static_cast<int>(r.int64(i, 5));
    j.text = r.str(i, 6);
    j.sources_json = r.str(i, 7);
    j.external_chat_id = r.str(i, 8);
    j.chat_inactive = !r.is_null(i, 9) && r.boolean(i, 9);
    j.customer_last_message_us = r.int64(i, 10);
    j.language = r.str(i, 11);
    j.rate_seq = r.is_null(i, 12) ? 0 : r.int64(i, 12);
    out.push_back(std::move(j));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

std::optional<RatingChat> ChannelRepository::rating_chat(const std::string& channel_id,
                                                        const std::string& external_chat_id,
                                                        std::int64_t seq) {
  auto connection = pool_.acquire();
  auto r = connection->exec(kRatingChat, {channel_id, external_chat_id, std::to_string(seq)});
  if (r.rows() == 0) return std::nullopt;
  return RatingChat{r.str(0, 0), r.str(0, 1)};
}

bool ChannelRepository::outbox_sent(std::int64_t id, const std::string& external_message_id) {
  auto connection = pool_.acquire();
  bool more = connection->exec_prepared("cc_outbox_sent", kOutboxSent, {std::to_string(id), external_message_id})
                  .boolean(0, 0);
  if (external_message_id.empty()) return more;
  auto channel = connection->exec(kOutboxChannel, {std::to_string(id)});
  if (channel.rows() > 0) connection->exec(kApplyEarlyStatus, {channel.str(0, 0), external_message_id});
  return more;
}

void ChannelRepository::outbox_window_closed(std::int64_t id, const std::string& error) {
  auto connection = pool_.acquire();
  connection->exec(kOutboxWindowClosed, {std::to_string(id), error});
}

int ChannelRepository::record_delivery_status(const std::string& channel_id,
                                              const std::string& external_message_id,
                                              const std::string& status, const std::string& error) {
  auto connection = pool_.acquire();
  auto kept = connection->exec(kKeepEarlyStatus, {channel_id, external_message_id, status, error});
  connection->exec(kApplyEarlyStatus, {channel_id, external_message_id});
  // About one status in 256 also sweeps statuses nobody claimed for a day (bounded table).
  if ((std::hash<std::string>{}(external_message_id) & 0xff) == 0) connection->exec(kDropStaleEarlyStatuses, {});
  return static_cast<int>(kept.affected());
}

void ChannelRepository::outbox_retry(std::int64_t id, std::chrono::milliseconds delay,
                                     int parts_sent, const std::string& error, bool count_attempt) {
  auto connection = pool_.acquire();
  connection->exec_prepared("cc_outbox_retry", kOutboxRetry, {std::to_string(id), ms(delay), std::to_string(parts_sent), error,
                                  count_attempt ? "1" : "0"});
}

void ChannelRepository::outbox_failed(std::int64_t id, const std::string& error) {
  auto connection = pool_.acquire();
  connection->exec(kOutboxFailed, {std::to_string(id), error});
}

void ChannelRepository::mark_chat_inactive(const std::string& conversation_id) {
  auto connection = pool_.acquire();
  connection->exec(kChatInactive, {conversation_id});
}

bool ChannelRepository::awaiting_bot_reply(const std::string& conversation_id) {
  auto connection = pool_.acquire();
  return connection->exec_prepared("cc_awaiting_bot_reply", kAwaitingBotReply, {conversation_id}).int64(0, 0) > 0;
}

}  // namespace botfactory::channel
