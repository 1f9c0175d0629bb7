#pragma once
// PostgreSQL access to channel bindings (chat.channels), their durable inbox and outbox
// (chat.channel_inbox, chat.channel_outbox) and channel conversations. Migration V003.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "botfactory/crypto/secret_box.hpp"

namespace botfactory::pg {
class Pool;
}

namespace botfactory::channel {

class ChannelCoreCache;

/// One row of chat.channels plus its outbox counts. Times in µs since the epoch (0 = never).
struct ChannelRecord {
  std::string id;
  std::string tenant_id;
  std::string bot_id;
  std::string kind;  // "telegram"
  std::string mode;  // "polling" | "webhook"
  std::string external_id;
  std::string display_name;
  crypto::SealedValue credentials;
  std::string last_four;
  std::string state;  // "connected" | "error"
  std::string state_error;
  std::int64_t poll_offset = 0;
  std::int64_t last_inbound_at_us = 0;
  std::string last_delivery_error;
  std::int64_t last_delivery_error_at_us = 0;
  std::int64_t created_at_us = 0;
  std::int64_t pending_outbound = 0;
  std::int64_t failed_outbound = 0;
  std::int64_t window_closed_outbound = 0;  // WhatsApp: not sent, 24-hour window closed
  /// Rows listed by ChannelDeliveryRepository::list_failed (failed, window_closed, or reported
  /// failed by Meta after it accepted them): what a replay would re-send.
  std::int64_t failed_deliveries = 0;
  std::int64_t poll_lease_until_us = 0;  // polling: until when a replica holds the poll lease
};

/// A channel to insert; `id` chosen by the caller (the webhook URL names it before the insert).
struct NewChannel {
  std::string id;
  std::string tenant_id;
  std::string bot_id;
  std::string kind;
  std::string mode;
  std::string external_id;
  std::string display_name;
  crypto::SealedValue credentials;
  std::string last_four;
};

/// A claimed inbox row: "pending" (to be posted) or "posted" (its chat's head whose reply
/// lease ran out: the replica working on it stopped; recovery checks the reply).
struct InboxRow {
  std::int64_t id = 0;
  std::string channel_id;
  std::string payload;
  std::string state = "pending";
  int attempts = 0;  // claims since stored (pending) or since posted
};

/// A visitor message of a channel update that was committed ("posted") but may lack its reply.
struct PostedInbound {
  std::int64_t inbox_id = 0;
  int attempts = 0;
  bool replied = false;  // a "bot-reply-<message id>" message exists
  std::string tenant_id;
  std::string bot_id;
  std::string conversation_id;
  std::string message_id;
  std::int64_t seq = 0;
  std::string text;
  std::string sender_id;
};

/// A claimed outbox row with what delivery needs.
struct OutboxJob {
  std::int64_t id = 0;
  std::string channel_id;
  std::string conversation_id;
  std::string message_id;
  int attempts = 0;
  int parts_sent = 0;
  std::string text;
  std::string sources_json;  // chat.messages.sources, "" when NULL
  std::string external_chat_id;
  bool chat_inactive = false;
  /// µs since the epoch of the customer's last inbound message (0 = none).
  std::int64_t customer_last_message_us = 0;
  /// The bot's language for the sources heading (chat.channel_outbox.language; "" = English).
  std::string language;
  /// tgrate: the message's seq when it can be rated (a bot reply with answered set, not
  /// deleted: MessageFeedbackService's rule); 0 otherwise.
  std::int64_t rate_seq = 0;
};

/// tgrate: the conversation of a Telegram chat a rating button was pressed in.
struct RatingChat {
  std::string conversation_id;
  std::string language;  // of the pressed message's outbox row, else the chat's latest; "" = en
};

/// Repository over the pool. Every method borrows one connection; throws pg::Error on database
/// failures.
class ChannelRepository {
 public:
  explicit ChannelRepository(pg::Pool& pool);
  ~ChannelRepository();

  /// Keeps get_core()'s rows for `ttl` (at most `max_entries` channels; ChannelCoreCache). Off
  /// (every get_core reads the row) until called; call before the repository is shared.
  /// remove(), set_state() and set_delivery_error() forget the channel at once.
  void cache_core(std::chrono::milliseconds ttl, std::size_t max_entries);

  enum class InsertOutcome { kInserted, kLimitReached, kDuplicate };
  /// Inserts `channel` unless the bot has `max_channels` or more channels already (counted under
  /// a per-bot transaction advisory lock, so concurrent connects cannot both pass; negative =
  /// no limit) or (kind, external_id) is bound already.
  InsertOutcome insert(const NewChannel& channel, int max_channels);
  /// The bot's channels, oldest first.
  std::vector<ChannelRecord> list(const std::string& tenant_id, const std::string& bot_id);
  /// One channel; with non-empty tenant/bot it must be theirs.
  std::optional<ChannelRecord> get(const std::string& channel_id, const std::string& tenant_id = {},
                                   const std::string& bot_id = {});
  /// One channel by id without the outbox counts (pending/failed/window_closed_outbound are 0):
  /// one index lookup, for the inbox and outbox hot paths; from the cache when cache_core() set
  /// one up (last_inbound_at and the poll fields may then be up to its ttl old).
  std::optional<ChannelRecord> get_core(const std::string& channel_id);
  /// Deletes the channel (its inbox and outbox rows go with it; conversations keep their
  /// history, channel_id set NULL). False when it was not the tenant's bot's.
  bool remove(const std::string& channel_id, const std::string& tenant_id, const std::string& bot_id);
  /// Sets state ("connected"/"error") and its reason.
  void set_state(const std::string& channel_id, const std::string& state, const std::string& error);
  /// Records the last delivery error ("" clears it).
  void set_delivery_error(const std::string& channel_id, const std::string& error);
  /// Clears the last delivery error after a successful send, but only the error the sender saw
  /// (`seen_error_at_us`, ChannelRecord::last_delivery_error_at_us of its snapshot): an error
  /// another worker recorded meanwhile (e.g. "window closed" for the chat's next row) stays.
  void clear_delivery_error(const std::string& channel_id, std::int64_t seen_error_at_us);

  /// Polling channels this replica may poll: takes or renews the lease (`owner`, `lease`) of
  /// every polling channel whose lease is free, expired or already ours.
  std::vector<ChannelRecord> lease_polling(const std::string& owner, std::chrono::milliseconds lease);

  /// Stores one inbound update (unique per channel and external id) of chat `chat_key` (the
  /// Telegram chat id, the WhatsApp/Instagram sender; "" = none: the row is its own chat) and
  /// stamps the channel's last_inbound_at. True when it was new.
  bool store_inbound(const std::string& channel_id, const std::string& external_id,
                     const std::string& payload, const std::string& chat_key);
  /// One update to store: external id, payload, chat key (as store_inbound()).
  struct InboundUpdate {
    std::string external_id;
    std::string payload;
    std::string chat_key;
  };
  /// In one transaction: stores `updates` like store_inbound() and advances the channel's
  /// poll_offset to `next_offset`. Returns how many were new.
  int store_polled(const std::string& channel_id, const std::vector<InboundUpdate>& updates,
                   std::int64_t next_offset);
  /// Claims for replica `owner` (lease `lease`) the head — the oldest open row — of up to
  /// `limit` chats whose head is free (never leased, or its lease ran out), oldest heads first.
  /// A chat's head stays its head while pending and while posted (its reply is owed), so a
  /// chat's rows are worked on by one replica at a time, in id order, across replicas: two
  /// claimers race only for the same head row, and the loser's UPDATE re-checks the lease the
  /// winner set. Rows of `skip_channels` (channel ids) are left alone.
  std::vector<InboxRow> claim_inbox(int limit, std::chrono::milliseconds lease, const std::string& owner,
                                    const std::vector<std::string>& skip_channels = {});
  /// Gives claimed rows back unprocessed (lease cleared, the claim's attempt uncounted).
  void inbox_release(const std::vector<std::int64_t>& inbox_ids);
  /// pending → posted (`message_id` committed); the row keeps its lease (`lease` from now,
  /// renewed by its owner while the reply is generated): its chat's next row waits for it.
  void inbox_posted(std::int64_t inbox_id, const std::string& message_id, std::chrono::milliseconds lease);
  /// → done/failed with `error` (lease cleared: the chat's next row is free). True when the
  /// chat has another open row.
  bool inbox_finished(std::int64_t inbox_id, const std::string& state, const std::string& error);
  /// The committed visitor message of posted row `inbox_id`, with whether its reply exists.
  std::optional<PostedInbound> posted_inbound(std::int64_t inbox_id);
  /// Heartbeat: extends to `lease` from now the leases `owner` holds on inbox rows `ids` that
  /// are still open. Returns how many were renewed.
  int renew_inbox(const std::vector<std::int64_t>& ids, const std::string& owner,
                  std::chrono::milliseconds lease);
  /// Heartbeat: the same for pending outbox rows `ids`.
  int renew_outbox(const std::vector<std::int64_t>& ids, const std::string& owner,
                   std::chrono::milliseconds lease);

  /// The conversation of (channel, external chat): created on first contact with the bot's
  /// tenant/bot, channel kind, `visitor_id` and `visitor_name`; later contacts refresh the name
  /// and make an inactive chat active again. Returns its id.
  std::string conversation_for_chat(const ChannelRecord& channel, const std::string& external_chat_id,
                                    const std::string& visitor_id, const std::string& visitor_name);

  /// Claims up to `limit` deliverable outbox rows: the oldest pending row of each conversation
  /// (later ones wait: per-chat order) that is due and not leased by another worker.
  /// `owner` names the replica (its heartbeat renews the lease while it sends).
  std::vector<OutboxJob> claim_outbox(int limit, std::chrono::milliseconds lease,
                                      const std::string& owner = {});
  /// Sent; `external_message_id` (WhatsApp wamid of the last part) matches later statuses.
  /// True when the row's conversation has another pending row (its next message).
  bool outbox_sent(std::int64_t id, const std::string& external_message_id = {});
  /// Not sent: the WhatsApp 24-hour customer-service window is closed (final, shown in health).
  void outbox_window_closed(std::int64_t id, const std::string& error);
  /// Records a WhatsApp/Instagram status (sent/delivered/read/failed, `error` for failed) on the
  /// outbox row with that wamid — at once, or when the sender stores the id if the webhook came
  /// first; a status never moves a row backwards (failed > read > delivered > sent). Returns 1
  /// when the status was kept, 0 when a later status was already there.
  int record_delivery_status(const std::string& channel_id, const std::string& external_message_id,
                             const std::string& status, const std::string& error);
  /// Back to pending after `delay` with `parts_sent` parts delivered; counts an attempt when
  /// `count_attempt`.
  void outbox_retry(std::int64_t id, std::chrono::milliseconds delay, int parts_sent,
                    const std::string& error, bool count_attempt);
  void outbox_failed(std::int64_t id, const std::string& error);
  /// Marks the conversation's chat inactive (the customer blocked the bot).
  void mark_chat_inactive(const std::string& conversation_id);
  /// tgrate: the conversation of chat `external_chat_id` of channel `channel_id` (no row is
  /// created, unlike conversation_for_chat) and the language of message `seq`'s outbox row;
  /// nullopt when the chat has no conversation.
  std::optional<RatingChat> rating_chat(const std::string& channel_id,
                                        const std::string& external_chat_id, std::int64_t seq);
  /// True while the bot still owes `conversation_id` a reply: the bot handles it and its last
  /// message is the customer's (false for an unknown conversation).
  bool awaiting_bot_reply(const std::string& conversation_id);

 private:
  pg::Pool& pool_;
  std::unique_ptr<ChannelCoreCache> core_cache_;  // null: off
};

}  // namespace botfactory::channel
