// channel-connector against real PostgreSQL, real Redis and real gRPC: seq numbering,
// idempotency, validation, publishing, ListMessages, tenant scoping.

#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include <boost/json.hpp>

#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/status.hpp"
#include "chat/chat_service.hpp"
#include "fake_services.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
using namespace botfactory::channel::testing_support;

namespace {

std::int64_t count_rows(botfactory::pg::Pool& pool, const std::string& conversation_id) {
  auto connection = pool.acquire();
  return connection
      ->exec("SELECT count(*) FROM chat.messages WHERE conversation_id = $1", {conversation_id})
      .int64(0, 0);
}

chatv1::Conversation get_conversation(Harness& h, const std::string& id, const std::string& tenant,
                                      grpc::Status* status_out) {
  grpc::ClientContext context;
  botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
  chatv1::GetConversationRequest request;
  request.set_conversation_id(id);
  request.set_tenant_id(tenant);
  chatv1::Conversation conversation;
  *status_out = h.client().GetConversation(&context, request, &conversation);
  return conversation;
}

}  // namespace

TEST_CASE("8 concurrent posters get distinct seqs with no gaps, published in seq order") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  CHECK(conversation.last_seq() == 0);
  auto listener = h.listen(conversation.id());

  constexpr int kPosters = 8;
  constexpr int kEach = 15;
  std::vector<std::vector<std::int64_t>> seqs(kPosters);
  std::vector<int> failures(kPosters, 0);
  std::vector<std::thread> posters;
  for (int p = 0; p < kPosters; ++p) {
    posters.emplace_back([&, p] {
      for (int i = 0; i < kEach; ++i) {
        chatv1::PostMessageResponse response;
        std::string client_id = std::to_string(p * 1000 + i);  // unique per poster and message
        auto status = h.post(conversation.id(), client_id, commonv1::SENDER_KIND_OPERATOR,
                             "message " + client_id, &response);
        if (status.ok() && !response.duplicate()) {
          seqs[p].push_back(response.message().seq());
        } else {
          ++failures[p];
        }
      }
    });
  }
  for (auto& t : posters) t.join();

  std::set<std::int64_t> all;
  for (int p = 0; p < kPosters; ++p) {
    CHECK(failures[p] == 0);
    all.insert(seqs[p].begin(), seqs[p].end());
  }
  constexpr int kTotal = kPosters * kEach;
  CHECK(all.size() == static_cast<std::size_t>(kTotal));
  CHECK(*all.begin() == 1);
  CHECK(*all.rbegin() == kTotal);

  grpc::Status status;
  auto after = get_conversation(h, conversation.id(), tenant, &status);
  REQUIRE(status.ok());
  CHECK(after.last_seq() == kTotal);
  auto stored = h.messages(conversation.id());
  REQUIRE(stored.size() == static_cast<std::size_t>(kTotal));
  for (int i = 0; i < kTotal; ++i) CHECK(stored[i].seq() == i + 1);

  // Every commit was published, and frames of one conversation arrive in seq order.
  std::int64_t expected = 1;
  for (int i = 0; i < kTotal; ++i) {
    auto payload = listener->next();
    REQUIRE(payload);
    auto frame = boost::json::parse(*payload).as_object();
    CHECK(frame.at("type").as_string() == "message.new");
    CHECK(frame.at("seq").as_int64() == expected);
    ++expected;
  }
}

TEST_CASE("a repeated client_id returns the stored message and stores one row") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());

  chatv1::PostMessageResponse first;
  REQUIRE(h.post(conversation.id(), "same-id", commonv1::SENDER_KIND_OPERATOR, "Hi", &first).ok());
  CHECK_FALSE(first.duplicate());
  chatv1::PostMessageResponse second;
  REQUIRE(h.post(conversation.id(), "same-id", commonv1::SENDER_KIND_OPERATOR, "Hi", &second).ok());
  CHECK(second.duplicate());
  CHECK(second.message().id() == first.message().id());
  CHECK(second.message().seq() == first.message().seq());
  CHECK(second.message().created_at().seconds() == first.message().created_at().seconds());
  CHECK(count_rows(h.pool(), conversation.id()) == 1);

  grpc::Status status;
  CHECK(get_conversation(h, conversation.id(), tenant, &status).last_seq() == 1);
  CHECK(h.metrics.render().find("chat_messages_duplicate_total 1") != std::string::npos);
}

TEST_CASE("bad text, client ids and conversations are rejected and nothing is stored") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  chatv1::PostMessageResponse response;

  std::string too_long(4001, 'x');
  for (const std::string& text : {std::string(""), std::string("   \n\t "), too_long}) {
    auto status = h.post(conversation.id(), "c-bad", commonv1::SENDER_KIND_VISITOR, text, &response);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  }
  // Invalid UTF-8 in a proto3 string is refused by protobuf itself before the service sees it;
  // in process (the bot pipeline's path) the service refuses it with INVALID_ARGUMENT.
  std::string bad_utf8 = "bad \xFF\xFE utf8";
  CHECK_FALSE(
      h.post(conversation.id(), "c-bad", commonv1::SENDER_KIND_VISITOR, bad_utf8, &response).ok());
  chatv1::PostMessageRequest direct;
  direct.set_tenant_id(tenant);
  direct.set_conversation_id(conversation.id());
  direct.set_client_id("c-bad");
  direct.mutable_sender()->set_kind(commonv1::SENDER_KIND_VISITOR);
  direct.set_text(bad_utf8);
  try {
    h.chat().post_message(direct);
    FAIL("invalid UTF-8 accepted");
  } catch (const botfactory::rpc::StatusError& e) {
    CHECK(e.code() == grpc::StatusCode::INVALID_ARGUMENT);
  }
  CHECK(h.post(conversation.id(), "", commonv1::SENDER_KIND_VISITOR, "hi", &response).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(h.post(conversation.id(), std::string(65, 'c'), commonv1::SENDER_KIND_VISITOR, "hi",
               &response)
            .error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(h.post(conversation.id(), "c-1", commonv1::SENDER_KIND_UNSPECIFIED, "hi", &response)
            .error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(count_rows(h.pool(), conversation.id()) == 0);
  grpc::Status status;
  CHECK(get_conversation(h, conversation.id(), tenant, &status).last_seq() == 0);
  CHECK(h.ai.calls == 0);

  CHECK(h.post(random_uuid(), "c-1", commonv1::SENDER_KIND_OPERATOR, "hi", &response).error_code() ==
        grpc::StatusCode::NOT_FOUND);
  CHECK(h.post("not-a-uuid", "c-1", commonv1::SENDER_KIND_OPERATOR, "hi", &response).error_code() ==
        grpc::StatusCode::NOT_FOUND);

  // The limit counts characters, not bytes: 4000 Cyrillic letters (8000 bytes) fit.
  std::string cyrillic;
  for (int i = 0; i < 4000; ++i) cyrillic += "я";
  REQUIRE(h.post(conversation.id(), "c-long", commonv1::SENDER_KIND_OPERATOR, "  " + cyrillic + " ",
                 &response)
              .ok());
  CHECK(response.message().text() == cyrillic);
}

TEST_CASE("each committed message is published as the message.new frame") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  auto listener = h.listen(conversation.id());

  std::string text = "Цена \"Pro\"?\nНовая строка";
  chatv1::PostMessageResponse response;
  REQUIRE(h.post(conversation.id(), "c-1", commonv1::SENDER_KIND_OPERATOR, text, &response).ok());
  auto payload = listener->next();
  REQUIRE(payload);
  auto frame = boost::json::parse(*payload).as_object();
  CHECK(frame.at("type").as_string() == "message.new");
  CHECK(frame.at("conversation_id").as_string() == conversation.id());
  CHECK(frame.at("seq").as_int64() == 1);
  const auto& message = frame.at("message").as_object();
  CHECK(message.at("id").as_string() == response.message().id());
  CHECK(message.at("text").as_string() == text);
  CHECK(message.at("sender").as_object().at("kind").as_string() == "operator");
  CHECK(message.at("sender").as_object().at("id").as_string() == "sender-c-1");
  CHECK(message.at("sender").as_object().at("name").as_string() == "Guest 1234");
  std::string created_at(message.at("created_at").as_string());
  CHECK(created_at.size() == 24);  // 2026-11-22T04:40:31.123Z
  CHECK(created_at.back() == 'Z');

  // A duplicate is not published again; the next new message is.
  REQUIRE(h.post(conversation.id(), "c-1", commonv1::SENDER_KIND_OPERATOR, text, &response).ok());
  REQUIRE(h.post(conversation.id(), "c-2", commonv1::SENDER_KIND_OPERATOR, "second", &response).ok());
  payload = listener->next();
  REQUIRE(payload);
  CHECK(boost::json::parse(*payload).as_object().at("seq").as_int64() == 2);
}

TEST_CASE("ListMessages returns messages after since_seq in seq order") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "Welcome! Ask me anything.");
  auto conversation = h.create_conversation(tenant, bot.id());
  CHECK(conversation.last_seq() == 1);
  for (int i = 0; i < 4; ++i) {
    chatv1::PostMessageResponse response;
    REQUIRE(h.post(conversation.id(), "c-" + std::to_string(i), commonv1::SENDER_KIND_OPERATOR,
                   "text " + std::to_string(i), &response)
                .ok());
    CHECK(response.message().seq() == i + 2);
  }
  auto all = h.messages(conversation.id(), 0);
  REQUIRE(all.size() == 5);
  CHECK(all[0].seq() == 1);
  CHECK(all[0].text() == "Welcome! Ask me anything.");
  CHECK(all[0].sender().kind() == commonv1::SENDER_KIND_BOT);
  CHECK(all[0].sender().id() == bot.id());
  CHECK(all[0].sender().name() == "Helper");
  CHECK(all[0].client_id() == "greeting");

  auto later = h.messages(conversation.id(), 3);
  REQUIRE(later.size() == 2);
  CHECK(later[0].seq() == 4);
  CHECK(later[1].seq() == 5);
  CHECK(later[1].text() == "text 3");
  CHECK(h.messages(conversation.id(), 5).empty());

  grpc::ClientContext context;
  botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
  chatv1::ListMessagesRequest request;
  request.set_tenant_id(h.tenant_of(conversation.id()));
  request.set_conversation_id(conversation.id());
  request.set_limit(2);
  chatv1::ListMessagesResponse limited;
  REQUIRE(h.client().ListMessages(&context, request, &limited).ok());
  REQUIRE(limited.messages_size() == 2);
  CHECK(limited.messages(1).seq() == 2);

  grpc::ClientContext missing_context;
  botfactory::rpc::set_deadline(missing_context, std::chrono::seconds(10));
  request.set_conversation_id(random_uuid());
  CHECK(h.client().ListMessages(&missing_context, request, &limited).error_code() ==
        grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("conversations are scoped to their tenant") {
  Harness h;
  std::string tenant_a = random_uuid();
  std::string tenant_b = random_uuid();
  auto bot_a = h.registry.add_bot(tenant_a, "A", "en", "");
  auto bot_a2 = h.registry.add_bot(tenant_a, "A2", "en", "");
  auto bot_b = h.registry.add_bot(tenant_b, "B", "en", "");

  auto older = h.create_conversation(tenant_a, bot_a.id(), "Alice");
  CHECK(older.visitor().name() == "Alice");
  CHECK(older.channel() == "web");
  CHECK_FALSE(older.visitor().id().empty());
  auto newer = h.create_conversation(tenant_a, bot_a.id());
  auto guest = newer.visitor().name();
  CHECK(guest.rfind("Guest ", 0) == 0);
  CHECK(guest.size() == 10);
  auto other_bot = h.create_conversation(tenant_a, bot_a2.id());
  auto foreign = h.create_conversation(tenant_b, bot_b.id());

  // Creating a conversation for another tenant's bot is NOT_FOUND (the registry says so).
  {
    grpc::ClientContext context;
    botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
    chatv1::CreateConversationRequest request;
    request.set_tenant_id(tenant_a);
    request.set_bot_id(bot_b.id());
    chatv1::Conversation c;
    CHECK(h.client().CreateConversation(&context, request, &c).error_code() ==
          grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext context;
    botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
    chatv1::CreateConversationRequest request;
    request.set_tenant_id(tenant_a);
    chatv1::Conversation c;
    CHECK(h.client().CreateConversation(&context, request, &c).error_code() ==
          grpc::StatusCode::INVALID_ARGUMENT);
  }

  grpc::Status status;
  auto got = get_conversation(h, older.id(), tenant_a, &status);
  REQUIRE(status.ok());
  CHECK(got.bot_id() == bot_a.id());
  get_conversation(h, older.id(), tenant_b, &status);
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  get_conversation(h, random_uuid(), tenant_a, &status);
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  get_conversation(h, "garbage", tenant_a, &status);
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  // The tenant is required on every RPC: empty or malformed is INVALID_ARGUMENT, never "any".
  for (const std::string& bad : std::vector<std::string>{"", "garbage", tenant_a + "x"}) {
    INFO("tenant '" << bad << "'");
    get_conversation(h, older.id(), bad, &status);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    grpc::ClientContext post_context;
    botfactory::rpc::set_deadline(post_context, std::chrono::seconds(10));
    chatv1::PostMessageRequest post;
    post.set_tenant_id(bad);
    post.set_conversation_id(older.id());
    post.set_client_id("c-x");
    post.mutable_sender()->set_kind(commonv1::SENDER_KIND_OPERATOR);
    post.set_text("hi");
    chatv1::PostMessageResponse posted;
    CHECK(h.client().PostMessage(&post_context, post, &posted).error_code() ==
          grpc::StatusCode::INVALID_ARGUMENT);
    grpc::ClientContext list_context;
    botfactory::rpc::set_deadline(list_context, std::chrono::seconds(10));
    chatv1::ListMessagesRequest list_request;
    list_request.set_tenant_id(bad);
    list_request.set_conversation_id(older.id());
    chatv1::ListMessagesResponse listed;
    CHECK(h.client().ListMessages(&list_context, list_request, &listed).error_code() ==
          grpc::StatusCode::INVALID_ARGUMENT);
    grpc::ClientContext conversations_context;
    botfactory::rpc::set_deadline(conversations_context, std::chrono::seconds(10));
    chatv1::ListConversationsRequest conversations_request;
    conversations_request.set_tenant_id(bad);
    chatv1::ListConversationsResponse conversations;
    CHECK(h.client().ListConversations(&conversations_context, conversations_request,
                                       &conversations)
              .error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  }
  // Another tenant can neither post into nor read a conversation: it does not exist for them.
  {
    grpc::ClientContext context;
    botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
    chatv1::PostMessageRequest post;
    post.set_tenant_id(tenant_b);
    post.set_conversation_id(older.id());
    post.set_client_id("c-foreign");
    post.mutable_sender()->set_kind(commonv1::SENDER_KIND_OPERATOR);
    post.set_text("injected");
    chatv1::PostMessageResponse posted;
    CHECK(h.client().PostMessage(&context, post, &posted).error_code() ==
          grpc::StatusCode::NOT_FOUND);
    CHECK(count_rows(h.pool(), older.id()) == 0);
    grpc::ClientContext list_context;
    botfactory::rpc::set_deadline(list_context, std::chrono::seconds(10));
    chatv1::ListMessagesRequest list_request;
    list_request.set_tenant_id(tenant_b);
    list_request.set_conversation_id(older.id());
    chatv1::ListMessagesResponse listed;
    CHECK(h.client().ListMessages(&list_context, list_request, &listed).error_code() ==
          grpc::StatusCode::NOT_FOUND);
  }

  // Activity on the older conversation moves it to the front.
  chatv1::PostMessageResponse response;
  REQUIRE(h.post(older.id(), "c-1", commonv1::SENDER_KIND_OPERATOR, "bump", &response).ok());

  auto list = [&](const std::string& tenant, const std::string& bot, int limit) {
    grpc::ClientContext context;
    botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
    chatv1::ListConversationsRequest request;
    request.set_tenant_id(tenant);
    request.set_bot_id(bot);
    request.set_limit(limit);
    chatv1::ListConversationsResponse r;
    REQUIRE(h.client().ListConversations(&context, request, &r).ok());
    std::vector<std::string> ids;
    for (const auto& c : r.conversations()) ids.push_back(c.id());
    return ids;
  };
  CHECK(list(tenant_a, bot_a.id(), 0) == std::vector<std::string>{older.id(), newer.id()});
  CHECK(list(tenant_a, bot_a.id(), 1) == std::vector<std::string>{older.id()});
  CHECK(list(tenant_a, "", 0).size() == 3);
  CHECK(list(tenant_b, "", 0) == std::vector<std::string>{foreign.id()});
  CHECK(list(tenant_b, bot_a.id(), 0).empty());
  (void)other_bot;
}
