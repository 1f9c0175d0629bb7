#include "chat/chat_service.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "botfactory/chatwire/conversation_event.hpp"
#include "botfactory/chatwire/inbox_event.hpp"
#include "botfactory/chatwire/message_event.hpp"
#include "botfactory/common/ids.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/redis/publisher.hpp"
#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/tenant.hpp"
#include "chat/ai_command.hpp"
#include "chat/chat_rate_limits.hpp"
#include "chat/message_edits.hpp"
#include "chat/message_sources.hpp"
#include "chat/validation.hpp"

namespace botfactory::channel {
namespace {

constexpr int kDefaultConversationLimit = 50;
constexpr int kMaxConversationLimit = 200;
constexpr int kMaxMessageLimit = 500;
constexpr const char* kGreetingClientId = "greeting";
constexpr std::size_t kMaxVisitorIdCodePoints = kMaxSenderIdCodePoints;
constexpr std::size_t kMaxVisitorNameCodePoints = 100;

bool known_channel(const std::string& channel) {
  return channel == "web" || channel == "telegram" || channel == "whatsapp" ||
         channel == "instagram";
}

/// ListConversations' cursor: "<updated_at µs since the epoch>_<conversation id>" (opaque to
/// clients). INVALID_ARGUMENT when malformed.
void parse_cursor(const std::string& cursor, ConversationQuery& query) {
  auto bad = [] { rpc::throw_invalid("cursor is malformed; pass next_cursor back unchanged"); };
  auto sep = cursor.find('_');
  if (sep == std::string::npos || sep == 0 || sep > 19) bad();
  std::int64_t micros = 0;
  for (std::size_t i = 0; i < sep; ++i) {
    char c = cursor[i];
    if (c < '0' || c > '9') bad();
    micros = micros * 10 + (c - '0');
  }
  std::string id = cursor.substr(sep + 1);
  if (!common::is_uuid(id)) bad();
  query.after_updated_micros = micros;
  query.after_id = std::move(id);
}

std::string cursor_of(const chat::v1::Conversation& c) {
  std::int64_t micros = c.updated_at().seconds() * 1000000 + c.updated_at().nanos() / 1000;
  return std::to_string(micros) + "_" + c.id();
}

/// chat.room_members.member_kind of a room post's sender kind (room_service: users post as
/// operators).
std::string sender_member_kind(common::v1::SenderKind kind) {
  if (kind == common::v1::SENDER_KIND_OPERATOR) return "user";
  if (kind == common::v1::SENDER_KIND_BOT) return "bot";
  return "visitor";
}

int clamp_limit(int requested, int fallback, int maximum) {
  if (requested <= 0) return fallback;
  return std::min(requested, maximum);
}

}  // namespace

ChatService::ChatService(ChatStore& store, redis::Publisher& publisher, BotDirectory& bots,
                         metrics::Registry& registry, ChatRateLimits* rates, CommitSettings commit)
    : store_(store),
      publisher_(publisher),
      bots_(bots),
      rates_(rates),
      log_(common::logger("chat")),
      committed_(registry.counter("chat_messages_committed_total",
                                  "Messages committed with a new seq")),
      duplicates_(registry.counter("chat_messages_duplicate_total",
                                   "PostMessage calls answered with an already stored message")),
      published_(registry.counter("chat_events_published_total",
                                  "Events published on Redis chat:conv:* channels")),
      publish_failures_(registry.counter("chat_publish_failures_total",
                                         "Events that could not be published on Redis")),
      committer_(std::make_unique<AppendCommitter>(
          store, commit, registry,
          [this](const std::vector<const NewMessage*>& messages,
                 const std::vector<AppendOutcome>& outcomes) {
            publish_committed(messages, outcomes);
          })) {}

ChatService::~ChatService() = default;

void ChatService::publish_committed(const std::vector<const NewMessage*>& messages,
                                    const std::vector<AppendOutcome>& outcomes) {
  std::vector<std::pair<std::string, std::string>> frames;
  frames.reserve(outcomes.size() * 2);
  std::vector<CommittedMessage> committed;  // hooks: for the event sink
  for (std::size_t i = 0; i < outcomes.size() && i < messages.size(); ++i) {
    const auto& stored = outcomes[i].stored;
    if (outcomes[i].error || !stored || stored->duplicate) continue;
    committed_.inc();
    if (stored->channel != "room") committed.emplace_back(&stored->conversation, &stored->message);
    if (messages[i]->after_commit) {
      // files: the live frame carries the attachment the hook links (a failing link is
      // logged; the message is published without it and replays show what is stored).
      chat::v1::Message linked = stored->message;
      try {
        messages[i]->after_commit(linked);
      } catch (const std::exception& e) {
        log_->warn("message {}: after-commit hook failed: {}", linked.id(), e.what());
      }
      frames.emplace_back(chatwire::conversation_channel(linked.conversation_id()),
                          chatwire::encode_message_new(linked));
    } else {
      frames.emplace_back(chatwire::conversation_channel(stored->message.conversation_id()),
                          chatwire::encode_message_new(stored->message));
    }
    if (stored->channel == "room") continue;  // rooms: no inbox
    frames.emplace_back(chatwire::conversation_channel(chatwire::inbox_key(stored->conversation.tenant_id())),
                        chatwire::encode_conversation_updated(stored->conversation));
  }
  if (auto* sink = events_.load(); sink && !committed.empty()) sink->messages_committed(committed);
  if (frames.empty()) return;
  auto counts = publisher_.publish_many(frames);
  std::uint64_t failed = 0;
  for (auto count : counts) failed += count < 0 ? 1 : 0;
  published_.inc(frames.size() - failed);
  if (failed > 0) {
    publish_failures_.inc(failed);
    log_->warn("{} of {} chat events not published; clients resume by seq", failed, frames.size());
  }
}

void ChatService::commit_and_publish(const std::string& conversation_id,
                                     const std::function<std::string()>& commit) {
  std::lock_guard lock(conversation_lock(conversation_id));
  auto frame = commit();
  if (!frame.empty()) publish(conversation_id, frame);
}

void ChatService::publish_inbox(const chat::v1::Conversation& conversation) {
  publish(chatwire::inbox_key(conversation.tenant_id()),
          chatwire::encode_conversation_updated(conversation));
}

void ChatService::publish(const std::string& conversation_id, const std::string& frame) {
  if (publisher_.publish(chatwire::conversation_channel(conversation_id), frame) < 0) {
    publish_failures_.inc();
    log_->warn("publish to chat:conv:{} failed; clients resume by seq", conversation_id);
  } else {
    published_.inc();
  }
}

chat::v1::Conversation ChatService::create_conversation(
    const chat::v1::CreateConversationRequest& request) {
  rpc::require_tenant(request.tenant_id());
  if (request.bot_id().empty()) rpc::throw_invalid("bot_id is required");
  if (!common::is_uuid(request.bot_id())) rpc::throw_invalid("bot_id must be a UUID");
  NewConversation conversation;
  conversation.tenant_id = request.tenant_id();
  conversation.bot_id = request.bot_id();
  conversation.channel = request.channel().empty() ? "web" : request.channel();
  if (!known_channel(conversation.channel)) rpc::throw_invalid("unknown channel");
  check_text_field("visitor_id", request.visitor_id(), kMaxVisitorIdCodePoints);
  conversation.visitor_id = request.visitor_id();
  check_text_field("visitor_name", request.visitor_name(), kMaxVisitorNameCodePoints);
  conversation.visitor_name = std::string(common::trim(request.visitor_name()));
  if (conversation.visitor_name.empty()) {
    conversation.visitor_name = "Guest " + std::to_string(common::random_int(1000, 9999));
  }

  BotProfile bot = bots_.get_bot(request.tenant_id(), request.bot_id());
  std::optional<NewMessage> greeting;
  auto greeting_text = truncate_code_points(common::trim(bot.greeting), kMaxTextCodePoints);
  if (!greeting_text.empty()) {
    greeting = NewMessage{"", kGreetingClientId, common::v1::SENDER_KIND_BOT, bot.id, bot.name,
                          greeting_text, {}, ""};
  }
  auto created = store_.create(conversation, greeting);
  if (created.greeting) {
    committed_.inc();
    // Nobody can have joined a conversation that did not exist a moment ago, but the frame keeps
    // the rule "every committed message is published".
    publish(created.conversation.id(), chatwire::encode_message_new(*created.greeting));
    auto* last = created.conversation.mutable_last_message();
    last->set_seq(created.greeting->seq());
    last->set_sender_kind(created.greeting->sender().kind());
    last->set_preview(chatwire::message_preview(created.greeting->text()));
    *last->mutable_created_at() = created.greeting->created_at();
  }
  publish_inbox(created.conversation);
  if (auto* sink = events_.load()) {
    sink->conversation_created(created.conversation,
                               created.greeting ? &*created.greeting : nullptr);  // hooks
  }
  log_->info("conversation {} created for bot {} (tenant {})", created.conversation.id(),
             conversation.bot_id, conversation.tenant_id);
  return std::move(created.conversation);
}

chat::v1::Conversation ChatService::get_conversation(
    const chat::v1::GetConversationRequest& request) {
  rpc::require_tenant(request.tenant_id());
  if (request.conversation_id().empty()) rpc::throw_invalid("conversation_id is required");
  if (!common::is_uuid(request.conversation_id())) rpc::throw_not_found("conversation not found");
  auto found = store_.get(request.conversation_id(), request.tenant_id());
  // Rooms are read through RoomService (membership checked), never as a conversation.
  if (!found || found->channel() == "room") rpc::throw_not_found("conversation not found");
  return std::move(*found);
}

chat::v1::ListConversationsResponse ChatService::list_conversations(
    const chat::v1::ListConversationsRequest& request) {
  rpc::require_tenant(request.tenant_id());
  if (!request.bot_id().empty() && !common::is_uuid(request.bot_id())) {
    rpc::throw_invalid("bot_id must be a UUID");
  }
  if (!request.channel().empty() && !known_channel(request.channel())) {
    rpc::throw_invalid("channel must be web, telegram, whatsapp or instagram");
  }
  if (!request.handler().empty() && request.handler() != "bot" && request.handler() != "human") {
    rpc::throw_invalid("handler must be bot or human");
  }
  ConversationQuery query;
  query.tenant_id = request.tenant_id();
  query.bot_id = request.bot_id();
  query.channel = request.channel();
  query.handler = request.handler();
  query.waiting_only = request.waiting_only();
  query.limit = clamp_limit(request.limit(), kDefaultConversationLimit, kMaxConversationLimit);
  if (!request.user_id().empty()) {
    check_text_field("user_id", request.user_id(), kMaxSenderIdCodePoints);
    query.user_id = request.user_id();
  }
  if (!request.cursor().empty()) parse_cursor(request.cursor(), query);
  auto page = store_.list(query);
  chat::v1::ListConversationsResponse response;
  if (page.more && !page.conversations.empty()) {
    response.set_next_cursor(cursor_of(page.conversations.back()));
  }
  for (auto& c : page.conversations) *response.add_conversations() = std::move(c);
  return response;
}

chat::v1::PostMessageResponse ChatService::post_message(
    const chat::v1::PostMessageRequest& request) {
  rpc::require_tenant(request.tenant_id());
  return append_message(request, request.tenant_id());
}

chat::v1::PostMessageResponse ChatService::append_message(
    const chat::v1::PostMessageRequest& request, const std::string& tenant_id,
    std::vector<ReplySource> sources, std::optional<bool> answered, std::string language,
    const std::optional<std::string>* room_question,
    const std::function<void(chat::v1::Message&)>& attach, bool answer,
    const std::optional<E2eeKeyCheck>* e2ee_key) {
  std::string text = validate_post(request);
  if (!common::is_uuid(request.conversation_id())) rpc::throw_not_found("conversation not found");
  NewMessage message{request.conversation_id(), request.client_id(), request.sender().kind(),
                     request.sender().id(),     request.sender().name(), std::move(text),
                     std::move(sources),        tenant_id};
  message.answered = answered;
  message.language = std::move(language);
  // Bot and operator messages go out on a channel conversation's channel; an operator's /ai
  // command is addressed to the bot, not to the customer.
  message.deliver_to_channel =
      message.sender_kind == common::v1::SENDER_KIND_BOT ||
      (message.sender_kind == common::v1::SENDER_KIND_OPERATOR && !parse_ai_command(message.text));

  if (rates_ && message.sender_kind == common::v1::SENDER_KIND_VISITOR) {
    // Over the rate, a resent message (same client_id) is still let through: the append
    // answers it as the duplicate it is. Anything else is refused and not stored. In a room
    // every visitor has its own allowance (a room is shared by many).
    rates_->admit_visitor_message(
        room_question ? message.conversation_id + "/" + message.sender_id : message.conversation_id,
        [&] {
          return store_.find_by_client_id(message.conversation_id, message.client_id, tenant_id)
              .has_value();
        });
  }
  message.after_commit = attach;  // files: linked to its attachment before it is published
  if (room_question) {  // roomcore: the sender's membership is checked inside the append
    message.room_member_kind = sender_member_kind(message.sender_kind);
    message.room_member_id = message.sender_id;
  }
  if (e2ee_key) message.e2ee_key = *e2ee_key;  // harden: the room's key epoch, in the append
  // Committed (and published) with whatever else queued meanwhile; answered after the commit.
  std::optional<AppendResult> stored = committer_->append(message);
  if (!stored && room_question) {  // the room exists (RoomService checked): not a member now
    throw rpc::StatusError(grpc::StatusCode::PERMISSION_DENIED,
                           "only members of the room may do this; join it first");
  }
  if (!stored) rpc::throw_not_found("conversation not found");
  if (stored->duplicate) duplicates_.inc();
  if (stored->outbound) {
    if (auto* outbound = outbound_.load()) outbound->on_outbound(stored->message.conversation_id());
  }

  // The bot answers every visitor message, and an /ai command of anyone but itself.
  bool wants_answer = message.sender_kind == common::v1::SENDER_KIND_VISITOR ||
                      (message.sender_kind == common::v1::SENDER_KIND_OPERATOR &&
                       parse_ai_command(stored->message.text()));
  // In a room the bot answers only what asks it (an /ai command or a mention), as a command.
  std::string asked = stored->message.text();
  if (stored->channel == "room") {
    wants_answer = room_question && room_question->has_value() &&
                   message.sender_kind != common::v1::SENDER_KIND_BOT;
    if (wants_answer) asked = "/ai " + **room_question;
  }
  if (!stored->duplicate && wants_answer && answer) {
    if (auto* listener = listener_.load()) {
      listener->on_visitor_message(VisitorMessage{
          stored->tenant_id, stored->bot_id, stored->message.conversation_id(),
          stored->message.id(), stored->message.seq(), asked,
          message.sender_kind, stored->message.sender().id(), stored->channel});
    }
  }
  chat::v1::PostMessageResponse response;
  *response.mutable_message() = std::move(stored->message);
  response.set_duplicate(stored->duplicate);
  return response;
}

chat::v1::PostMessageResponse ChatService::post_room_message(
    const chat::v1::PostMessageRequest& request, const std::optional<std::string>& bot_question,
    const std::optional<E2eeKeyCheck>& e2ee_key) {
  rpc::require_tenant(request.tenant_id());
  return append_message(request, request.tenant_id(), {}, std::nullopt, {}, &bot_question, {}, true,
                        &e2ee_key);
}

void ChatService::publish_committed(const chat::v1::Message& message) {
  committed_.inc();
  publish(message.conversation_id(), chatwire::encode_message_new(message));
}

chat::v1::PostMessageResponse ChatService::post_with_attachment(
    const chat::v1::PostMessageRequest& request,
    const std::function<void(chat::v1::Message&)>& attach, bool answer, bool room,
    const std::optional<E2eeKeyCheck>& e2ee_key) {
  rpc::require_tenant(request.tenant_id());
  static const std::optional<std::string> kNoBotQuestion;  // a room's files never ask the bot
  return append_message(request, request.tenant_id(), {}, std::nullopt, {},
                        room ? &kNoBotQuestion : nullptr, attach, answer,
                        room ? &e2ee_key : nullptr);
}

chat::v1::ListMessagesResponse ChatService::list_messages(
    const chat::v1::ListMessagesRequest& request) {
  rpc::require_tenant(request.tenant_id());
  if (request.conversation_id().empty()) rpc::throw_invalid("conversation_id is required");
  if (!common::is_uuid(request.conversation_id())) rpc::throw_not_found("conversation not found");
  int limit = clamp_limit(request.limit(), kMaxMessageLimit, kMaxMessageLimit);
  auto since = std::max<std::int64_t>(request.since_seq(), 0);
  auto found = store_.get(request.conversation_id(), request.tenant_id());
  if (!found || found->channel() == "room") rpc::throw_not_found("conversation not found");
  auto messages = history(request.conversation_id(), since, 0, limit);
  chat::v1::ListMessagesResponse response;
  response.mutable_messages()->Reserve(static_cast<int>(messages.size()));
  for (auto& m : messages) *response.add_messages() = std::move(m);
  return response;
}

std::vector<chat::v1::Message> ChatService::history(const std::string& conversation_id,
                                                    std::int64_t since_seq,
                                                    std::int64_t before_seq, int limit) {
  auto* edits = history_.load();
  std::vector<chat::v1::Message> messages;
  if (before_seq > 0) {
    if (!edits) throw std::logic_error("history before a seq needs set_history()");
    messages = edits->history_before(conversation_id, before_seq, limit);
  } else {
    messages = edits ? edits->history_since(conversation_id, since_seq, limit)
                     : store_.messages_since(conversation_id, since_seq, limit);
  }
  if (decorator_) decorator_(messages);
  return messages;
}

chat::v1::Conversation ChatService::set_conversation_state(
    const chat::v1::SetConversationStateRequest& request) {
  rpc::require_tenant(request.tenant_id());
  if (request.conversation_id().empty()) rpc::throw_invalid("conversation_id is required");
  switch (request.action()) {
    case chat::v1::CONVERSATION_ACTION_TAKEOVER:
    case chat::v1::CONVERSATION_ACTION_HANDBACK:
    case chat::v1::CONVERSATION_ACTION_REQUEST_HUMAN: break;
    default: rpc::throw_invalid("action must be takeover, handback or request_human");
  }
  if (!common::is_uuid(request.conversation_id())) rpc::throw_not_found("conversation not found");
  std::optional<StateChange> change;
  {
    // The conversation's commit lane: its frames reach Redis in seq order with the messages.
    std::lock_guard lock(conversation_lock(request.conversation_id()));
    change = store_.set_state(request.conversation_id(), request.tenant_id(), request.action());
    if (change && change->changed) {
      const auto& c = change->conversation;
      publish(c.id(), chatwire::encode_conversation_state(c.id(), c.handler(), c.waiting_for_human()));
      publish_inbox(c);
    }
  }
  if (!change) rpc::throw_not_found("conversation not found");
  if (change->changed && request.action() == chat::v1::CONVERSATION_ACTION_REQUEST_HUMAN &&
      change->conversation.waiting_for_human()) {
    if (auto* sink = events_.load()) sink->handoff_requested(change->conversation);  // hooks
  }
  if (change->changed) {
    log_->info("conversation {}: handler {}, waiting_for_human {}", change->conversation.id(),
               change->conversation.handler(), change->conversation.waiting_for_human());
  }
  return std::move(change->conversation);
}

chat::v1::MarkReadResponse ChatService::mark_read(const chat::v1::MarkReadRequest& request) {
  rpc::require_tenant(request.tenant_id());
  if (request.conversation_id().empty()) rpc::throw_invalid("conversation_id is required");
  if (request.user_id().empty()) rpc::throw_invalid("user_id is required");
  check_text_field("user_id", request.user_id(), kMaxSenderIdCodePoints);
  if (request.seq() < 0) rpc::throw_invalid("seq must be >= 0");
  if (!common::is_uuid(request.conversation_id())) rpc::throw_not_found("conversation not found");
  auto position =
      store_.mark_read(request.conversation_id(), request.tenant_id(), request.user_id(), request.seq());
  if (!position) rpc::throw_not_found("conversation not found");
  chat::v1::MarkReadResponse response;
  response.set_read_seq(position->read_seq);
  response.set_unread_count(position->unread_count);
  return response;
}

chat::v1::GetAnalyticsResponse ChatService::get_analytics(
    const chat::v1::GetAnalyticsRequest& request) {
  rpc::require_tenant(request.tenant_id());
  if (!request.bot_id().empty() && !common::is_uuid(request.bot_id())) {
    rpc::throw_invalid("bot_id must be a UUID");
  }
  int days = request.days() == 0 ? 30 : request.days();
  if (days < 1 || days > 90) rpc::throw_invalid("days must be 1..90");
  chat::v1::GetAnalyticsResponse response;
  for (auto& day : store_.analytics(request.tenant_id(), request.bot_id(), days)) {
    *response.add_days() = std::move(day);
  }
  return response;
}

bool ChatService::human_handles(const std::string& conversation_id) {
  return store_.human_handles(conversation_id);
}

std::vector<Turn> ChatService::recent_turns(const std::string& conversation_id,
                                            std::int64_t before_seq, int max_turns) {
  auto turns = store_.recent_turns(conversation_id, before_seq, max_turns);
  // edits: a deleted message (text "") is no turn of the model's history.
  std::erase_if(turns, [](const Turn& t) { return t.text.empty(); });
  return turns;
}

std::vector<Turn> ChatService::participant_turns(const std::string& conversation_id,
                                                 std::int64_t before_seq,
                                                 common::v1::SenderKind sender_kind,
                                                 const std::string& sender_id, int max_turns) {
  auto turns =
      store_.participant_turns(conversation_id, before_seq, sender_kind, sender_id, max_turns);
  std::erase_if(turns, [](const Turn& t) { return t.text.empty(); });  // edits: tombstones
  return turns;
}

std::int64_t ChatService::post_bot_message(const BotMessage& message) {
  chat::v1::PostMessageRequest request;
  request.set_conversation_id(message.conversation_id);
  request.set_client_id(message.client_id);
  auto* sender = request.mutable_sender();
  sender->set_kind(common::v1::SENDER_KIND_BOT);
  sender->set_id(message.bot_id);
  sender->set_name(message.bot_name);
  request.set_text(message.text);
  return append_message(request, "", bound_sources(message.sources), message.answered,
                        message.language)
      .message()
      .seq();
}

void ChatService::publish_delta(const std::string& conversation_id, std::int64_t reply_to_seq,
                                std::string_view delta) {
  publish(conversation_id, chatwire::encode_message_delta(conversation_id, reply_to_seq, delta));
}

void ChatService::publish_typing(const std::string& conversation_id, const std::string& bot_id,
                                 const std::string& bot_name) {
  publish(conversation_id, chatwire::encode_typing(conversation_id, true, "bot", bot_id, bot_name));
}

void ChatService::publish_typing_stop(const std::string& conversation_id,
                                      const std::string& bot_id, const std::string& bot_name) {
  publish(conversation_id, chatwire::encode_typing(conversation_id, false, "bot", bot_id, bot_name));
}

}  // namespace botfactory::channel
