#pragma once
// Conversations and messages: validation, the seq transaction, Redis publishing, and the hand-off
// of visitor messages to the bot pipeline. The gRPC layer (channel_grpc_service) is a thin shell.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "chat/append_committer.hpp"
#include "chat/chat_event_sink.hpp"
#include "botfactory/chat/v1/chat.pb.h"
#include "chat/chat_store.hpp"
#include "pipeline/pipeline_ports.hpp"

namespace spdlog {
class logger;
}

namespace botfactory::metrics {
class Counter;
class Registry;
}  // namespace botfactory::metrics

namespace botfactory::redis {
class Publisher;
}

namespace botfactory::channel {

class ChatRateLimits;
class MessageEdits;

/// The ChannelConnectorService logic (proto/botfactory/chat/v1/chat.proto). Thread-safe.
/// Errors are thrown as rpc::StatusError (INVALID_ARGUMENT, NOT_FOUND, ...) or pg::Error.
class ChatService : public ChatOps {
 public:
  /// `bots` answers CreateConversation's GetBot (greeting, tenant check). `rates`, when set,
  /// limits new visitor messages per conversation. `commit` bounds the group commit of
  /// messages (append_committer.hpp). Metrics are registered in `registry`. All references
  /// must outlive the service.
  ChatService(ChatStore& store, redis::Publisher& publisher, BotDirectory& bots,
              metrics::Registry& registry, ChatRateLimits* rates = nullptr,
              CommitSettings commit = {});
  /// Commits and answers the messages still queued, then stops the committer.
  ~ChatService() override;

  /// Who gets newly committed visitor messages (the pipeline dispatcher); nullptr = nobody.
  /// Set it before serving and clear it before the listener is destroyed.
  void set_listener(VisitorMessageListener* listener) { listener_.store(listener); }
  /// Who is told that a message was queued for a channel (the outbox); nullptr = nobody.
  void set_outbound_listener(OutboundListener* listener) { outbound_.store(listener); }
  /// edits: where ListMessages reads (messages with their edit state merged with edit / delete
  /// events, MessageEdits::history_since); nullptr = ChatStore::messages_since. Set before
  /// serving.
  void set_history(MessageEdits* edits) { history_.store(edits); }
  /// hooks: who is told about committed messages, new conversations and hand-off requests
  /// (outgoing webhooks); nullptr = nobody. Called after the commit and the publish.
  void set_event_sink(ChatEventSink* sink) { events_.store(sink); }

  /// edits: for other writers of the seq stream. Runs `commit` holding the conversation's
  /// commit lane (conversation_lock) and publishes the frame it returns ("" = nothing) on
  /// `chat:conv:<id>` before releasing it, so frames reach Redis in seq order with the
  /// conversation's messages. What `commit` throws propagates.
  void commit_and_publish(const std::string& conversation_id,
                          const std::function<std::string()>& commit);

  /// Validates tenant_id/bot_id (INVALID_ARGUMENT), asks the registry for the bot (NOT_FOUND when
  /// it is not the tenant's, UNAVAILABLE when the registry fails), names an anonymous visitor
  /// "Guest NNNN", creates the conversation and posts the bot's greeting as seq 1 when it has one.
  chat::v1::Conversation create_conversation(const chat::v1::CreateConversationRequest& request);

  /// tenant_id required (INVALID_ARGUMENT when empty or not a UUID); NOT_FOUND when unknown or
  /// owned by another tenant.
  chat::v1::Conversation get_conversation(const chat::v1::GetConversationRequest& request);

  /// tenant_id required; optional filters bot_id (UUID), channel (web|telegram|whatsapp|
  /// instagram), handler (bot|human), waiting_only; limit default 50, max 200; newest activity
  /// first, keyset-paginated by `cursor` (next_cursor of the previous page). With user_id: each
  /// conversation's read_seq and unread_count for that user. INVALID_ARGUMENT for a malformed
  /// filter or cursor.
  chat::v1::ListConversationsResponse list_conversations(
      const chat::v1::ListConversationsRequest& request);

  /// Validates (see validate_post), commits with the next seq (idempotent on client_id) together
  /// with the messages of other calls that queued meanwhile (AppendCommitter: UNAVAILABLE with
  /// a retry hint when CHAT_COMMIT_MAX_QUEUE messages already wait; answered only after the
  /// commit), publishes the `message.new` frame on `chat:conv:<id>` in the batch's one Redis
  /// pipeline (failures counted, never returned), and hands a
  /// new visitor message, or a new /ai command of an operator (ai_command.hpp), to the listener. tenant_id required (INVALID_ARGUMENT when empty or
  /// not a UUID); NOT_FOUND for an unknown conversation or one of another tenant. A new visitor
  /// message over VISITOR_MESSAGES_PER_MIN is refused with RESOURCE_EXHAUSTED +
  /// a retry hint (rpc::throw_rate_limited) and not stored; a repeated one (same client_id) is still answered
  /// as a duplicate.
  chat::v1::PostMessageResponse post_message(const chat::v1::PostMessageRequest& request);

  /// files: post_message() for a message that carries an attachment. `attach` runs after a new
  /// message's commit and before its frame is published (it links the attachment and sets
  /// Message.attachment, so the live frame carries it); the bot is not asked when `answer` is
  /// false (a file without a caption). harden2: with `room` (a room's file message), checked
  /// inside the append as post_room_message() does — the sender is a member now and, with
  /// `e2ee_key`, the caption's key is the room's current one — else PERMISSION_DENIED.
  chat::v1::PostMessageResponse post_with_attachment(
      const chat::v1::PostMessageRequest& request,
      const std::function<void(chat::v1::Message&)>& attach, bool answer, bool room = false,
      const std::optional<E2eeKeyCheck>& e2ee_key = std::nullopt);

  /// files: fills Message.attachment on ListMessages pages; set before serving.
  void set_message_decorator(std::function<void(std::vector<chat::v1::Message>&)> decorator) {
    decorator_ = std::move(decorator);
  }

  /// Messages with seq > since_seq in seq order, limit default and max 500. tenant_id required
  /// (INVALID_ARGUMENT when empty or not a UUID); NOT_FOUND for an unknown conversation or one
  /// of another tenant.
  chat::v1::ListMessagesResponse list_messages(const chat::v1::ListMessagesRequest& request);

  /// roomcore: one page of a conversation's history as ListMessages reads it (edit state and
  /// edit / delete events merged by seq through MessageEdits, attachments decorated):
  /// before_seq > 0 → the newest `limit` entries before it, else those after since_seq; both
  /// oldest first. No tenant or membership check (callers check); `limit` ≥ 1. Without
  /// set_history(), plain messages (before_seq then unsupported: std::logic_error).
  std::vector<chat::v1::Message> history(const std::string& conversation_id,
                                         std::int64_t since_seq, std::int64_t before_seq,
                                         int limit);

  /// Takeover / handback / a visitor's request for a person (ChatStore::set_state). tenant_id
  /// required (INVALID_ARGUMENT when empty or not a UUID); INVALID_ARGUMENT for an unspecified
  /// action; NOT_FOUND for an unknown conversation or one of another tenant. When the state
  /// changed, publishes the `conversation.state` event on `chat:conv:<id>` (failures counted,
  /// never returned). Returns the conversation after the action.
  chat::v1::Conversation set_conversation_state(
      const chat::v1::SetConversationStateRequest& request);

  /// MarkRead: tenant_id required; INVALID_ARGUMENT for an empty or over-long user_id or a
  /// negative seq; NOT_FOUND for an unknown conversation or one of another tenant.
  chat::v1::MarkReadResponse mark_read(const chat::v1::MarkReadRequest& request);

  /// GetAnalytics: tenant_id required; bot_id optional (UUID); days 1..90 (0 = 30), else
  /// INVALID_ARGUMENT.
  chat::v1::GetAnalyticsResponse get_analytics(const chat::v1::GetAnalyticsRequest& request);

  // Rooms (room_service.hpp).
  /// post_message() for a room (channel "room") whose membership the caller checked: no inbox
  /// event; a visitor's rate is counted per (room, visitor); the bot pipeline gets the message
  /// only when `bot_question` is set, as an /ai command asking it. harden: with `e2ee_key` (an
  /// e2ee room), stored only while it is the room's current key (NewMessage::e2ee_key); a
  /// refusal inside the append — no member, or the epoch moved on — is PERMISSION_DENIED.
  chat::v1::PostMessageResponse post_room_message(const chat::v1::PostMessageRequest& request,
                                                  const std::optional<std::string>& bot_question,
                                                  const std::optional<E2eeKeyCheck>& e2ee_key = std::nullopt);
  /// roomcore: the gate of the conversation's commit lane (AppendCommitter::Gate): hold it
  /// (std::lock_guard) around a commit of the conversation made elsewhere and its
  /// publish_committed(), so its frames reach Redis in seq order with the lane's messages.
  AppendCommitter::Gate& conversation_lock(const std::string& conversation_id) {
    return committer_->gate(conversation_id);
  }
  /// Publishes the `message.new` frame of a message committed elsewhere (room events).
  void publish_committed(const chat::v1::Message& message);

  // ChatOps, for the bot pipeline.
  std::vector<Turn> recent_turns(const std::string& conversation_id, std::int64_t before_seq,
                                 int max_turns) override;
  std::vector<Turn> participant_turns(const std::string& conversation_id, std::int64_t before_seq,
                                      common::v1::SenderKind sender_kind,
                                      const std::string& sender_id, int max_turns) override;
  bool human_handles(const std::string& conversation_id) override;
  /// Stores the reply with its sources bounded by bound_sources (message_sources.hpp).
  std::int64_t post_bot_message(const BotMessage& message) override;
  void publish_delta(const std::string& conversation_id, std::int64_t reply_to_seq,
                     std::string_view delta) override;
  void publish_typing(const std::string& conversation_id, const std::string& bot_id,
                      const std::string& bot_name) override;
  void publish_typing_stop(const std::string& conversation_id, const std::string& bot_id,
                           const std::string& bot_name) override;

 private:
  /// The committer's sink: the `message.new` and `conversation.updated` frames of every new
  /// message of a committed batch, in batch order, in one Redis pipeline.
  void publish_committed(const std::vector<const NewMessage*>& messages,
                         const std::vector<AppendOutcome>& outcomes);
  void publish(const std::string& conversation_id, const std::string& frame);
  /// The `conversation.updated` inbox event of `conversation` on its tenant's inbox channel
  /// (chatwire/inbox_event.hpp); failures counted like publish().
  void publish_inbox(const chat::v1::Conversation& conversation);
  /// post_message() after validation; `tenant_id` empty = trusted in-process caller (bot reply,
  /// which alone may carry `sources` and the bot's `language` for the channel outbox).
  chat::v1::PostMessageResponse append_message(const chat::v1::PostMessageRequest& request,
                                               const std::string& tenant_id,
                                               std::vector<ReplySource> sources = {},
                                               std::optional<bool> answered = std::nullopt,
                                               std::string language = {},
                                               const std::optional<std::string>* room_question = nullptr,
                                               const std::function<void(chat::v1::Message&)>& attach = {},
                                               bool answer = true,
                                               const std::optional<E2eeKeyCheck>* e2ee_key = nullptr);

  ChatStore& store_;
  redis::Publisher& publisher_;
  BotDirectory& bots_;
  ChatRateLimits* rates_;
  std::atomic<VisitorMessageListener*> listener_{nullptr};
  std::atomic<OutboundListener*> outbound_{nullptr};
  std::atomic<MessageEdits*> history_{nullptr};
  std::atomic<ChatEventSink*> events_{nullptr};  // hooks
  std::function<void(std::vector<chat::v1::Message>&)> decorator_;  // files
  std::shared_ptr<spdlog::logger> log_;
  metrics::Counter& committed_;
  metrics::Counter& duplicates_;
  metrics::Counter& published_;
  metrics::Counter& publish_failures_;
  // Last: stopped (queued messages committed and answered) before the rest goes.
  std::unique_ptr<AppendCommitter> committer_;
};

}  // namespace botfactory::channel
