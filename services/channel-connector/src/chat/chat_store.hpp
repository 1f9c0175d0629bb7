#pragma once
// PostgreSQL access to the `chat` schema: conversations and their seq-numbered messages.

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "botfactory/chat/v1/chat.pb.h"
#include "chat/room_act_check.hpp"
#include "pipeline/pipeline_ports.hpp"

namespace botfactory::pg {
class Pool;
}

namespace botfactory::channel {

/// A message to append; fields already validated.
struct NewMessage {
  std::string conversation_id{};
  std::string client_id{};
  common::v1::SenderKind sender_kind = common::v1::SENDER_KIND_UNSPECIFIED;
  std::string sender_id{};
  std::string sender_name{};
  std::string text{};
  /// Bot replies only: the cited passages, already bounded (message_sources.hpp); stored as
  /// chat.messages.sources (jsonb, NULL when empty).
  std::vector<ReplySource> sources{};
  /// When set, the conversation must belong to this tenant (else append() finds nothing);
  /// empty only for the service's own trusted posts (bot replies).
  std::string tenant_id{};
  /// When the conversation is bound to a channel (Telegram …): queue the message in
  /// chat.channel_outbox in the same transaction (bot and operator messages).
  bool deliver_to_channel = false;
  /// Bot model replies only: chat.messages.answered (NULL when unset).
  std::optional<bool> answered{};
  /// Bot messages: the bot's language, stored on the outbox row (chat.channel_outbox.language,
  /// V007) for the sources heading; "" otherwise.
  std::string language{};
  /// files: called once with a copy of the committed message before its `message.new` is
  /// published (links the message to its attachment and puts it on the live frame); may throw
  /// (logged, the message stays committed). Empty for most messages.
  std::function<void(chat::v1::Message&)> after_commit{};
  /// roomcore: rooms only — the append stores the message only while (room_member_kind,
  /// room_member_id) is a member of the room (chat.room_members), checked under the
  /// conversation row's lock in the append's own transaction, so a post racing the sender's
  /// removal commits before the member.removed event or not at all (no row: append answers
  /// std::nullopt). Empty kind = no check.
  std::string room_member_kind{};
  std::string room_member_id{};
  /// harden: e2ee rooms only — the append stores the message only while the room's key_epoch
  /// is `epoch` and that epoch's key id is `key_id` (chat.rooms, chat.e2ee_room_epochs), checked
  /// in the same statement as the membership, under the conversation row's lock: a leave or
  /// removal bumps the epoch under that lock, so a post racing it commits before the bump or
  /// not at all (no row: append answers std::nullopt). Unset = no check.
  std::optional<E2eeKeyCheck> e2ee_key{};
};

/// The outcome of append(): the stored message, whether it was already there, and the
/// conversation's owner (for the bot pipeline).
struct AppendResult {
  chat::v1::Message message;
  bool duplicate = false;
  std::string tenant_id;
  std::string bot_id;
  /// The message was queued for delivery on its conversation's channel.
  bool outbound = false;
  /// The conversation after the append (last_seq, updated_at and last_message set), for the
  /// inbox's `conversation.updated` event. Unset fields for a duplicate.
  chat::v1::Conversation conversation;
  /// The conversation's channel ("web", "telegram", …).
  std::string channel;
};

/// One message's outcome of ChatStore::append_batch(): `error` set (pg::Error / TimeoutError)
/// when it failed; else `stored`, std::nullopt when the conversation is unknown or of another
/// tenant.
struct AppendOutcome {
  std::optional<AppendResult> stored;
  std::exception_ptr error;
};

/// ListConversations' filters and page (fields already validated).
struct ConversationQuery {
  std::string tenant_id;
  std::string bot_id;   // "" = every bot
  std::string channel;  // "" = every channel
  std::string handler;  // "" = both
  bool waiting_only = false;
  std::string user_id;  // "" = no read_seq / unread_count
  int limit = 50;
  /// Keyset: only conversations strictly after (updated_at, id) in the order updated_at DESC,
  /// id DESC; after_id "" = from the start.
  std::int64_t after_updated_micros = 0;
  std::string after_id;
};

/// One page of ListConversations and whether more follow.
struct ConversationPage {
  std::vector<chat::v1::Conversation> conversations;
  bool more = false;
};

/// A conversation to create; fields already validated. visitor_id empty = a generated UUID.
struct NewConversation {
  std::string tenant_id;
  std::string bot_id;
  std::string channel;
  std::string visitor_id;
  std::string visitor_name;
};

/// A created conversation and, when a greeting was given, its greeting message (seq 1).
struct CreateResult {
  chat::v1::Conversation conversation;
  std::optional<chat::v1::Message> greeting;
};

/// The outcome of set_state(): the conversation after the action, and whether it changed.
struct StateChange {
  chat::v1::Conversation conversation;
  bool changed = false;
};

/// A user's read position in a conversation and the unread messages after it.
struct ReadPosition {
  std::int64_t read_seq = 0;
  std::int32_t unread_count = 0;
};

/// ListConversations' SQL (ChatStore::list), for EXPLAIN in tests and benchmarks. Parameters:
/// $1 tenant, $2 bot, $3 channel, $4 handler, $5 waiting only ("true" or NULL), $6 limit,
/// $7 user id, $8/$9 keyset (updated_at µs, id), each NULL when unused.
const char* list_conversations_sql();

/// Repository over the pool. Every method borrows one connection; throws pg::Error on database
/// failures (22P02 for a malformed UUID).
class ChatStore {
 public:
  explicit ChatStore(pg::Pool& pool);

  /// Appends `messages` (non-null), in order, in one transaction sent as one libpq pipeline
  /// (BEGIN, one prepared statement per message, COMMIT: one round trip, one commit). Each
  /// message is answered from that statement: the stored message with duplicate = true when
  /// (conversation_id, client_id) exists (also when an earlier message of the batch stored
  /// it); else it is inserted with seq = last_seq + 1 (gap-free, the conversation row locked by
  /// the UPDATE that advances last_seq and updated_at) and, with deliver_to_channel on a
  /// channel conversation, queued in chat.channel_outbox; std::nullopt when the conversation is
  /// unknown or (tenant_id non-empty) of another tenant. A failing statement (a constraint, a
  /// lock timeout) rolls the round back: it is answered with its error and the others run
  /// again without it (a unique violation of the client id, a concurrent duplicate from
  /// another transaction, runs again instead, at most twice). A broken connection answers
  /// every message not yet committed with its error. `rounds`, when set, gets the number of
  /// transactions tried (1 without failures). Outcomes are in the order of `messages`.
  /// A message with room_member_kind set is preceded by a statement that locks its
  /// conversation row, so the append's snapshot sees every membership change committed
  /// before it got the lock (membership changes take that lock first).
  std::vector<AppendOutcome> append_batch(const std::vector<const NewMessage*>& messages,
                                          int* rounds = nullptr);

  /// append_batch() of one message: its stored result (std::nullopt: unknown conversation or
  /// another tenant's); throws its pg::Error.
  std::optional<AppendResult> append(const NewMessage& message);

  /// The stored message with `client_id` in the conversation, when the conversation is the
  /// tenant's (`tenant_id` empty = any); std::nullopt otherwise.
  std::optional<chat::v1::Message> find_by_client_id(const std::string& conversation_id,
                                                     const std::string& client_id,
                                                     const std::string& tenant_id);

  /// Inserts the conversation and, when `greeting` is set, the greeting message as seq 1 (client_id
  /// "greeting", sender kind BOT) in the same transaction.
  CreateResult create(const NewConversation& conversation, const std::optional<NewMessage>& greeting);

  /// The conversation; std::nullopt when unknown or (tenant_id non-empty) of another tenant.
  std::optional<chat::v1::Conversation> get(const std::string& conversation_id,
                                            const std::string& tenant_id);

  /// The tenant's conversations matching `query`, newest activity first (updated_at DESC, id
  /// DESC), at most query.limit, each with its last message (LastMessage, preview cut in SQL)
  /// and, with a user_id, that user's read_seq (0 when never read) and unread_count (messages
  /// after it that no operator sent, counted up to 1000). Served by the V013 indexes.
  ConversationPage list(const ConversationQuery& query);

  /// Messages with seq > since_seq in seq order, at most `limit`, with their sources.
  std::vector<chat::v1::Message> messages_since(const std::string& conversation_id,
                                                std::int64_t since_seq, int limit);

  /// In one transaction with the row locked: applies `action` (TAKEOVER: handler human, waiting
  /// false; HANDBACK: handler bot, waiting false; REQUEST_HUMAN: waiting true while the handler
  /// is the bot, else nothing) and writes the row only when the state changes; the returned
  /// conversation carries its last_message. std::nullopt when
  /// the conversation is unknown or of another tenant (`tenant_id` must be a UUID).
  std::optional<StateChange> set_state(const std::string& conversation_id,
                                       const std::string& tenant_id,
                                       chat::v1::ConversationAction action);

  /// Stores that `user_id` read the conversation up to `seq` (clamped to its last_seq; the
  /// stored position never moves back). std::nullopt when the conversation is unknown or of
  /// another tenant.
  std::optional<ReadPosition> mark_read(const std::string& conversation_id,
                                        const std::string& tenant_id, const std::string& user_id,
                                        std::int64_t seq);

  /// One entry per UTC day of the last `days` days (today included), oldest first, for the
  /// tenant's conversations (of one bot when `bot_id` is non-empty): see GetAnalytics.
  std::vector<chat::v1::AnalyticsDay> analytics(const std::string& tenant_id,
                                                const std::string& bot_id, int days);

  /// True when an operator has taken the conversation over (handler = human); false when the
  /// bot handles it or the conversation is unknown.
  bool human_handles(const std::string& conversation_id);

  /// True when the conversation exists.
  bool exists(const std::string& conversation_id);

  /// Up to `max_turns` messages with seq < before_seq, oldest first (ai-proxy history).
  std::vector<Turn> recent_turns(const std::string& conversation_id, std::int64_t before_seq,
                                 int max_turns);

  /// Up to `max_turns` messages of one sender (kind and id) with seq < before_seq, oldest first
  /// (the context of an /ai command).
  std::vector<Turn> participant_turns(const std::string& conversation_id, std::int64_t before_seq,
                                      common::v1::SenderKind sender_kind,
                                      const std::string& sender_id, int max_turns);

 private:
  pg::Pool& pool_;
};

}  // namespace botfactory::channel
