// Editing and deleting (issue 11) against real PostgreSQL, Redis and gRPC: the edit window,
// versions for admins only, tombstones, someone else's message refused, and a client resuming by
// since_seq seeing the final state, also while edits race its reads.

#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <thread>

#include <boost/json.hpp>

#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/client.hpp"
#include "botfactory/chatwire/message_change_event.hpp"
#include "chat/chat_service.hpp"
#include "chat/message_edit_repository.hpp"
#include "rooms/room_conversation_admins.hpp"
#include "rooms/room_repository.hpp"
#include "fake_services.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
using namespace botfactory::channel::testing_support;

namespace {

constexpr const char* kOperator = "operator-1";

chatv1::Actor actor(commonv1::SenderKind kind, const std::string& id) {
  chatv1::Actor a;
  a.set_kind(kind);
  a.set_id(id);
  return a;
}

/// An Edit / Delete / ListMessageVersions request naming one message and who acts on it.
template <typename Request>
Request message_request(Harness& h, const std::string& conversation_id, std::int64_t seq,
                        const chatv1::Actor& who, const std::string& tenant = {}) {
  Request request;
  request.set_tenant_id(tenant.empty() ? h.tenant_of(conversation_id) : tenant);
  request.set_conversation_id(conversation_id);
  request.set_seq(seq);
  *request.mutable_actor() = who;
  return request;
}

/// One unary call of the harness's client with a 10 s deadline.
template <typename Request, typename Response>
grpc::Status call(Harness& h,
                  grpc::Status (chatv1::ChannelConnectorService::Stub::*method)(
                      grpc::ClientContext*, const Request&, Response*),
                  const Request& request, Response* response) {
  grpc::ClientContext context;
  botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
  return (h.client().*method)(&context, request, response);
}

grpc::Status edit(Harness& h, const std::string& conversation_id, std::int64_t seq,
                  const chatv1::Actor& who, const std::string& text,
                  chatv1::MessageChangeResponse* response, std::string tenant = {}) {
  auto request = message_request<chatv1::EditMessageRequest>(h, conversation_id, seq, who, tenant);
  request.set_text(text);
  return call(h, &chatv1::ChannelConnectorService::Stub::EditMessage, request, response);
}

grpc::Status remove(Harness& h, const std::string& conversation_id, std::int64_t seq,
                    const chatv1::Actor& who, chatv1::MessageChangeResponse* response) {
  return call(h, &chatv1::ChannelConnectorService::Stub::DeleteMessage,
              message_request<chatv1::DeleteMessageRequest>(h, conversation_id, seq, who), response);
}

grpc::Status versions(Harness& h, const std::string& conversation_id, std::int64_t seq,
                      const chatv1::Actor& who, chatv1::ListMessageVersionsResponse* response) {
  return call(h, &chatv1::ChannelConnectorService::Stub::ListMessageVersions,
              message_request<chatv1::ListMessageVersionsRequest>(h, conversation_id, seq, who),
              response);
}

std::int64_t post_operator(Harness& h, const std::string& conversation_id,
                           const std::string& client_id, const std::string& text) {
  chatv1::PostMessageResponse response;
  auto status = h.post(conversation_id, client_id, commonv1::SENDER_KIND_OPERATOR, text, &response,
                       kOperator);
  REQUIRE(status.ok());
  return response.message().seq();
}

std::int64_t last_seq(Harness& h, const std::string& conversation_id) {
  auto connection = h.pool().acquire();
  return connection
      ->exec("SELECT last_seq FROM chat.conversations WHERE id = $1", {conversation_id})
      .int64(0, 0);
}

/// What a client holds after applying a ListMessages stream: text (or "<deleted>") per seq.
struct ClientView {
  std::map<std::int64_t, std::string> texts;
  std::int64_t cursor = 0;
  bool gap = false;

  void apply(const std::vector<chatv1::Message>& page) {
    for (const auto& m : page) {
      if (m.seq() != cursor + 1) gap = true;
      cursor = m.seq();
      std::int64_t target = m.event().empty() ? m.seq() : m.target_seq();
      texts[target] = m.deleted() ? "<deleted>" : m.text();
    }
  }
};

}  // namespace

TEST_CASE("edits: the author edits within the window; the event has its own seq; admins read versions") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  auto seq = post_operator(h, conversation.id(), "c1", "Helo");
  auto listener = h.listen(conversation.id());

  chatv1::MessageChangeResponse changed;
  auto status = edit(h, conversation.id(), seq, actor(commonv1::SENDER_KIND_OPERATOR, kOperator),
                     "  Hello  ", &changed);
  REQUIRE(status.ok());
  CHECK(changed.event().event() == "edited");
  CHECK(changed.event().seq() == seq + 1);
  CHECK(changed.event().target_seq() == seq);
  CHECK(changed.event().text() == "Hello");
  CHECK(changed.event().has_edited_at());
  CHECK(last_seq(h, conversation.id()) == seq + 1);

  // Published on the conversation's channel, ordered by its own seq.
  auto payload = listener->next();
  REQUIRE(payload);
  auto frame = boost::json::parse(*payload).as_object();
  CHECK(frame.at("type").as_string() == "message.edited");
  CHECK(frame.at("seq").as_int64() == seq + 1);
  CHECK(frame.at("target_seq").as_int64() == seq);
  CHECK(frame.at("message").as_object().at("text").as_string() == "Hello");
  CHECK(frame.at("message").as_object().contains("edited_at"));

  // History: the message in its final state, then the event.
  auto stored = h.messages(conversation.id());
  REQUIRE(stored.size() == 2);
  CHECK(stored[0].seq() == seq);
  CHECK(stored[0].text() == "Hello");
  CHECK(stored[0].has_edited_at());
  CHECK(stored[0].event().empty());
  CHECK(stored[1].seq() == seq + 1);
  CHECK(stored[1].event() == "edited");

  // A second edit keeps both earlier texts, oldest first; only an admin reads them.
  REQUIRE(edit(h, conversation.id(), seq, actor(commonv1::SENDER_KIND_OPERATOR, kOperator),
               "Hello!", &changed).ok());
  chatv1::ListMessageVersionsResponse history;
  REQUIRE(versions(h, conversation.id(), seq, actor(commonv1::SENDER_KIND_OPERATOR, "admin-2"),
                   &history).ok());
  CHECK(history.message().text() == "Hello!");
  REQUIRE(history.versions_size() == 2);
  CHECK(history.versions(0).version() == 1);
  CHECK(history.versions(0).text() == "Helo");
  CHECK(history.versions(0).replaced_by() == "edit");
  CHECK(history.versions(1).text() == "Hello");

  status = versions(h, conversation.id(), seq,
                    actor(commonv1::SENDER_KIND_VISITOR, conversation.visitor().id()), &history);
  CHECK(status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
}

TEST_CASE("edits: after the window, someone else's message, a bot message and bad input are refused") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "Hi, I am the bot");
  auto conversation = h.create_conversation(tenant, bot.id());
  auto seq = post_operator(h, conversation.id(), "c1", "Mine");
  auto before = last_seq(h, conversation.id());
  auto me = actor(commonv1::SENDER_KIND_OPERATOR, kOperator);
  chatv1::MessageChangeResponse changed;

  // Someone else's message: another operator, a visitor, and the bot's greeting (seq 1).
  auto status = edit(h, conversation.id(), seq, actor(commonv1::SENDER_KIND_OPERATOR, "other"),
                     "x", &changed);
  CHECK(status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(status.error_message().rfind("forbidden:", 0) == 0);
  status = remove(h, conversation.id(), seq,
                  actor(commonv1::SENDER_KIND_VISITOR, conversation.visitor().id()), &changed);
  CHECK(status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  status = edit(h, conversation.id(), 1, me, "x", &changed);
  CHECK(status.error_code() == grpc::StatusCode::PERMISSION_DENIED);

  // Bad input.
  CHECK(edit(h, conversation.id(), seq, me, "   ", &changed).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(edit(h, conversation.id(), seq, me, std::string(4001, 'a'), &changed).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(edit(h, conversation.id(), 0, me, "x", &changed).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(edit(h, conversation.id(), 999, me, "x", &changed).error_code() ==
        grpc::StatusCode::NOT_FOUND);
  // Another tenant's conversation looks missing.
  CHECK(edit(h, conversation.id(), seq, me, "x", &changed, random_uuid()).error_code() ==
        grpc::StatusCode::NOT_FOUND);

  // The window (EDIT_WINDOW_MS, 5 minutes) closed: the message was posted 6 minutes ago.
  {
    auto connection = h.pool().acquire();
    connection->exec("UPDATE chat.messages SET created_at = now() - interval '6 minutes' "
                     "WHERE conversation_id = $1 AND seq = $2",
                     {conversation.id(), std::to_string(seq)});
  }
  status = edit(h, conversation.id(), seq, me, "late", &changed);
  CHECK(status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(status.error_message().rfind("edit_window_closed:", 0) == 0);
  status = remove(h, conversation.id(), seq, me, &changed);
  CHECK(status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);

  // Nothing changed: no event, no version, the text as posted.
  CHECK(last_seq(h, conversation.id()) == before);
  auto stored = h.messages(conversation.id());
  REQUIRE(stored.size() == 2);
  CHECK(stored[1].text() == "Mine");
  CHECK_FALSE(stored[1].has_edited_at());
  auto connection = h.pool().acquire();
  CHECK(connection->exec("SELECT count(*) FROM chat.message_versions").int64(0, 0) == 0);
}

TEST_CASE("edits: delete leaves a tombstone, versions stay for admins, a tombstone is not edited") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  auto seq = post_operator(h, conversation.id(), "c1", "secret plan");
  auto me = actor(commonv1::SENDER_KIND_OPERATOR, kOperator);
  chatv1::MessageChangeResponse changed;
  REQUIRE(edit(h, conversation.id(), seq, me, "plan", &changed).ok());
  REQUIRE(remove(h, conversation.id(), seq, me, &changed).ok());
  CHECK(changed.event().event() == "deleted");
  CHECK(changed.event().seq() == seq + 2);
  CHECK(changed.event().deleted());
  CHECK(changed.event().text().empty());

  auto stored = h.messages(conversation.id());
  REQUIRE(stored.size() == 3);
  CHECK(stored[0].deleted());
  CHECK(stored[0].text().empty());
  CHECK(stored[1].event() == "edited");
  CHECK(stored[1].text().empty());  // events carry the current state: the old text is gone
  CHECK(stored[2].event() == "deleted");

  CHECK(edit(h, conversation.id(), seq, me, "again", &changed).error_message().rfind(
            "message_deleted:", 0) == 0);
  // The model's history leaves the tombstone out.
  CHECK(h.chat().recent_turns(conversation.id(), seq + 10, 10).empty());

  chatv1::ListMessageVersionsResponse history;
  REQUIRE(versions(h, conversation.id(), seq, me, &history).ok());
  CHECK(history.message().deleted());
  REQUIRE(history.versions_size() == 2);
  CHECK(history.versions(0).text() == "secret plan");
  CHECK(history.versions(1).text() == "plan");
  CHECK(history.versions(1).replaced_by() == "delete");
}

TEST_CASE("edits: a visitor edits its own message; resuming by since_seq sees the final state") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  chatv1::PostMessageResponse posted;
  REQUIRE(h.post(conversation.id(), "v1", commonv1::SENDER_KIND_VISITOR, "whta is this", &posted,
                 conversation.visitor().id()).ok());
  auto seq = posted.message().seq();
  // A client read up to here, then went away.
  auto cursor = seq;
  chatv1::MessageChangeResponse changed;
  REQUIRE(edit(h, conversation.id(), seq,
               actor(commonv1::SENDER_KIND_VISITOR, conversation.visitor().id()), "what is this",
               &changed).ok());
  // Resuming after the message: the event brings the new text.
  auto page = h.messages(conversation.id(), cursor);
  bool seen = false;
  for (const auto& m : page) {
    if (m.event() == "edited" && m.target_seq() == seq) {
      seen = true;
      CHECK(m.text() == "what is this");
    }
  }
  CHECK(seen);
  // Resuming from the start: the message itself is already edited.
  auto all = h.messages(conversation.id(), 0);
  REQUIRE_FALSE(all.empty());
  CHECK(all[0].text() == "what is this");
  CHECK(all[0].has_edited_at());
}

TEST_CASE("edits: edits and posts racing a client's paged resume leave it gap-free at the final state") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  auto me = actor(commonv1::SENDER_KIND_OPERATOR, kOperator);
  constexpr int kMessages = 5;
  for (int i = 0; i < kMessages; ++i) post_operator(h, conversation.id(), "m" + std::to_string(i), "v0");

  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int round = 1; round <= 20; ++round) {
      chatv1::MessageChangeResponse changed;
      auto target = 1 + round % kMessages;
      (void)edit(h, conversation.id(), target, me, "v" + std::to_string(round), &changed);
      if (round % 4 == 0) post_operator(h, conversation.id(), "n" + std::to_string(round), "new");
    }
    chatv1::MessageChangeResponse changed;
    (void)remove(h, conversation.id(), 2, me, &changed);
    done = true;
  });
  // A client resuming by since_seq over and over while the writer runs (small pages).
  ClientView view;
  while (!done) {
    grpc::ClientContext context;
    botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
    chatv1::ListMessagesRequest request;
    request.set_tenant_id(tenant);
    request.set_conversation_id(conversation.id());
    request.set_since_seq(view.cursor);
    request.set_limit(3);
    chatv1::ListMessagesResponse response;
    REQUIRE(h.client().ListMessages(&context, request, &response).ok());
    view.apply({response.messages().begin(), response.messages().end()});
  }
  writer.join();
  for (;;) {
    auto page = h.messages(conversation.id(), view.cursor);
    if (page.empty()) break;
    view.apply(page);
  }
  CHECK_FALSE(view.gap);
  CHECK(view.cursor == last_seq(h, conversation.id()));
  // The client's view equals a fresh read of the final state.
  ClientView fresh;
  fresh.apply(h.messages(conversation.id(), 0));
  CHECK(view.texts == fresh.texts);
  CHECK(view.texts[2] == "<deleted>");
}

TEST_CASE("edits x rooms: room owner/admins are its admins; membership events share the seq "
          "stream and are not editable") {
  namespace ch = botfactory::channel;
  Harness h;
  std::string tenant = random_uuid();
  ch::RoomRepository rooms(h.pool());
  auto created = rooms.create(tenant, "Team", "", "public", ch::MemberRef{"user", "owner-1", "Owner"});
  const auto& room = created.first;
  REQUIRE(rooms.add_member(room.id(), ch::MemberRef{"user", "member-1", "Member"}, "member"));

  ch::SupportConversationAdmins support;
  ch::RoomConversationAdmins admins(rooms, support);
  CHECK(admins.is_admin(tenant, room.id(), ch::EditActor{commonv1::SENDER_KIND_OPERATOR, "owner-1"}));
  CHECK_FALSE(admins.is_admin(tenant, room.id(), ch::EditActor{commonv1::SENDER_KIND_OPERATOR, "member-1"}));
  CHECK_FALSE(admins.is_admin(tenant, room.id(), ch::EditActor{commonv1::SENDER_KIND_OPERATOR, "stranger"}));
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  CHECK(admins.is_admin(tenant, conversation.id(),
                        ch::EditActor{commonv1::SENDER_KIND_OPERATOR, "any-user"}));  // support rule

  // The merged history shows membership events as messages with `event`, not as edit events.
  ch::MessageEditRepository rows(h.pool());
  auto history = rows.history_since(room.id(), 0, 10);
  REQUIRE(history.size() == 2);
  CHECK(history[0].seq() == 1);
  CHECK(history[0].event() == "member.joined");
  CHECK(history[1].seq() == 2);
  CHECK(history[1].target_seq() == 0);
  CHECK_FALSE(botfactory::chatwire::is_change_event(history[1]));

  // A membership event is not a message: its "author" cannot edit it.
  chatv1::MessageChangeResponse changed;
  auto status = edit(h, room.id(), 1, actor(commonv1::SENDER_KIND_OPERATOR, "owner-1"), "x",
                     &changed, tenant);
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
}
