// The tenant-wide inbox against real PostgreSQL, Redis and gRPC: ListConversations across bots
// with filters, last-message previews and keyset pages; the `conversation.updated` events on the
// tenant's inbox channel; the query plan on a few thousand rows (V013 indexes).

#include <catch2/catch.hpp>

#include <set>

#include <boost/json.hpp>

#include "botfactory/chatwire/inbox_event.hpp"
#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/client.hpp"
#include "chat/chat_service.hpp"
#include "chat/chat_store.hpp"
#include "fake_services.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
using namespace botfactory::channel::testing_support;

namespace {

grpc::Status list(Harness& h, const chatv1::ListConversationsRequest& request,
                  chatv1::ListConversationsResponse* response) {
  grpc::ClientContext context;
  botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
  return h.client().ListConversations(&context, request, response);
}

std::vector<std::string> ids_of(const chatv1::ListConversationsResponse& response) {
  std::vector<std::string> ids;
  for (const auto& c : response.conversations()) ids.push_back(c.id());
  return ids;
}

boost::json::object next_event(RedisListener& listener) {
  auto payload = listener.next();
  REQUIRE(payload);
  auto frame = boost::json::parse(*payload).as_object();
  REQUIRE(frame.at("type").as_string() == "conversation.updated");
  return frame.at("conversation").as_object();
}

}  // namespace

TEST_CASE("inbox: every bot's conversations, newest activity first, filtered, paged by cursor") {
  Harness h;
  std::string tenant = random_uuid();
  auto sales = h.registry.add_bot(tenant, "Sales", "en", "");
  auto support = h.registry.add_bot(tenant, "Support", "en", "");
  std::vector<std::string> created;  // oldest activity first after the posts below
  for (int i = 0; i < 5; ++i) {
    auto c = h.create_conversation(tenant, (i % 2 ? support : sales).id(), "Visitor " + std::to_string(i));
    created.push_back(c.id());
  }
  // Another tenant's conversation is never listed.
  std::string other_tenant = random_uuid();
  auto other_bot = h.registry.add_bot(other_tenant, "Other", "en", "");
  h.create_conversation(other_tenant, other_bot.id());

  chatv1::PostMessageResponse posted;
  std::string long_text;
  for (int i = 0; i < 130; ++i) long_text += "ж";  // 2-byte code points: the cut must not split one
  for (int i = 0; i < 5; ++i) {
    REQUIRE(h.post(created[i], "o-" + std::to_string(i), commonv1::SENDER_KIND_OPERATOR,
                   i == 4 ? long_text : "message " + std::to_string(i), &posted).ok());
  }
  REQUIRE(h.set_conversation_state(tenant, created[1], chatv1::CONVERSATION_ACTION_REQUEST_HUMAN).ok());
  REQUIRE(h.set_conversation_state(tenant, created[3], chatv1::CONVERSATION_ACTION_TAKEOVER).ok());

  chatv1::ListConversationsRequest request;
  request.set_tenant_id(tenant);
  request.set_user_id("user-a");
  chatv1::ListConversationsResponse all;
  REQUIRE(list(h, request, &all).ok());
  // A state change does not move a conversation (updated_at follows messages).
  CHECK(ids_of(all) == std::vector<std::string>{created[4], created[3], created[2], created[1],
                                                created[0]});
  CHECK(all.next_cursor().empty());
  const auto& newest = all.conversations(0);
  REQUIRE(newest.has_last_message());
  CHECK(newest.last_message().seq() == 1);
  CHECK(newest.last_message().sender_kind() == commonv1::SENDER_KIND_OPERATOR);
  CHECK(newest.last_message().preview() == long_text.substr(0, 240));  // 120 code points
  CHECK(newest.visitor().name() == "Visitor 4");
  CHECK(all.conversations(4).last_message().preview() == "message 0");

  SECTION("filters") {
    chatv1::ListConversationsResponse page;
    auto by_bot = request;
    by_bot.set_bot_id(support.id());
    REQUIRE(list(h, by_bot, &page).ok());
    CHECK(ids_of(page) == std::vector<std::string>{created[3], created[1]});
    auto waiting = request;
    waiting.set_waiting_only(true);
    REQUIRE(list(h, waiting, &page).ok());
    CHECK(ids_of(page) == std::vector<std::string>{created[1]});
    auto human = request;
    human.set_handler("human");
    REQUIRE(list(h, human, &page).ok());
    CHECK(ids_of(page) == std::vector<std::string>{created[3]});
    auto telegram = request;
    telegram.set_channel("telegram");
    REQUIRE(list(h, telegram, &page).ok());
    CHECK(page.conversations_size() == 0);
    auto web = request;
    web.set_channel("web");
    REQUIRE(list(h, web, &page).ok());
    CHECK(page.conversations_size() == 5);
  }

  SECTION("pages of 2 by cursor visit every conversation once, in order") {
    auto paged = request;
    paged.set_limit(2);
    std::vector<std::string> seen;
    for (int pages = 0; pages < 5; ++pages) {
      chatv1::ListConversationsResponse page;
      REQUIRE(list(h, paged, &page).ok());
      for (const auto& id : ids_of(page)) seen.push_back(id);
      if (page.next_cursor().empty()) break;
      paged.set_cursor(page.next_cursor());
    }
    CHECK(seen == ids_of(all));
  }

  SECTION("malformed filters and cursors are INVALID_ARGUMENT") {
    chatv1::ListConversationsResponse page;
    for (const char* cursor : {"x", "123", "_" , "12_not-a-uuid", "-5_00000000-0000-0000-0000-000000000000"}) {
      auto bad = request;
      bad.set_cursor(cursor);
      CHECK(list(h, bad, &page).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    }
    auto bad_channel = request;
    bad_channel.set_channel("fax");
    CHECK(list(h, bad_channel, &page).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    auto bad_handler = request;
    bad_handler.set_handler("robot");
    CHECK(list(h, bad_handler, &page).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  }
}

TEST_CASE("inbox: conversation.updated on the tenant's channel for a new conversation, a message "
          "and a state change") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "Welcome!");
  auto listener = h.listen(botfactory::chatwire::inbox_key(tenant));

  auto conversation = h.create_conversation(tenant, bot.id(), "Ann");
  auto created = next_event(*listener);
  CHECK(created.at("id").as_string() == conversation.id());
  CHECK(created.at("bot_id").as_string() == bot.id());
  CHECK(created.at("channel").as_string() == "web");
  CHECK(created.at("visitor").at("name").as_string() == "Ann");
  CHECK(created.at("last_seq").as_int64() == 1);
  CHECK(created.at("last_message").at("preview").as_string() == "Welcome!");
  CHECK(created.at("last_message").at("sender_kind").as_string() == "bot");
  CHECK_FALSE(created.contains("unread_count"));  // per user: REST only

  chatv1::PostMessageResponse posted;
  REQUIRE(h.post(conversation.id(), "o-1", commonv1::SENDER_KIND_OPERATOR, "How can I help?",
                 &posted).ok());
  auto message = next_event(*listener);
  CHECK(message.at("last_seq").as_int64() == 2);
  CHECK(message.at("last_message").at("seq").as_int64() == 2);
  CHECK(message.at("last_message").at("preview").as_string() == "How can I help?");
  CHECK(message.at("last_message").at("sender_kind").as_string() == "operator");
  CHECK(message.at("handler").as_string() == "bot");
  CHECK(message.at("updated_at") == message.at("last_message").at("created_at"));

  // A duplicate post changes nothing and publishes nothing; the state change does.
  REQUIRE(h.post(conversation.id(), "o-1", commonv1::SENDER_KIND_OPERATOR, "How can I help?",
                 &posted).ok());
  REQUIRE(h.set_conversation_state(tenant, conversation.id(), chatv1::CONVERSATION_ACTION_REQUEST_HUMAN).ok());
  auto waiting = next_event(*listener);
  CHECK(waiting.at("waiting_for_human").as_bool());
  CHECK(waiting.at("last_message").at("seq").as_int64() == 2);
  REQUIRE(h.set_conversation_state(tenant, conversation.id(), chatv1::CONVERSATION_ACTION_TAKEOVER).ok());
  auto human = next_event(*listener);
  CHECK(human.at("handler").as_string() == "human");
  CHECK_FALSE(human.at("waiting_for_human").as_bool());

  // Another tenant's activity never reaches this channel: the next event is ours again.
  std::string other = random_uuid();
  auto other_bot = h.registry.add_bot(other, "Other", "en", "");
  h.create_conversation(other, other_bot.id());
  REQUIRE(h.set_conversation_state(tenant, conversation.id(), chatv1::CONVERSATION_ACTION_HANDBACK).ok());
  CHECK(next_event(*listener).at("handler").as_string() == "bot");
}

TEST_CASE("inbox: the list query is an index range scan on a few thousand conversations") {
  Harness h;
  std::string tenant = random_uuid();
  auto connection = h.pool().acquire();
  // 3000 conversations of this tenant over two bots, 3000 of others, one message each.
  connection->exec(
      "INSERT INTO chat.conversations (tenant_id, bot_id, channel, visitor_name, last_seq, "
      "updated_at, waiting_for_human) SELECT CASE WHEN n % 2 = 0 THEN $1::uuid ELSE "
      "gen_random_uuid() END, CASE WHEN n % 4 = 0 THEN $2::uuid ELSE $3::uuid END, 'web', "
      "'v' || n, 1, now() - n * interval '1 second', n % 50 = 0 FROM generate_series(1, 6000) n",
      {tenant, random_uuid(), random_uuid()});
  connection->exec(
      "INSERT INTO chat.messages (conversation_id, seq, sender_kind, text, client_id) "
      "SELECT id, 1, 'visitor', 'hello', 'c' FROM chat.conversations");
  connection->exec("ANALYZE chat.conversations");
  connection->exec("ANALYZE chat.messages");

  auto plan_of = [&](const std::vector<botfactory::pg::Param>& params) {
    auto r = connection->exec(std::string("EXPLAIN ") + botfactory::channel::list_conversations_sql(),
                              params);
    std::string plan;
    for (int i = 0; i < r.rows(); ++i) plan += r.str(i, 0) + "\n";
    UNSCOPED_INFO(plan);
    return plan;
  };
  using P = botfactory::pg::Param;
  // First page, whole tenant, with a user's read position.
  auto first = plan_of({tenant, P(), P(), P(), P(), "51", "user-a", P(), P()});
  CHECK(first.find("conversations_tenant_activity") != std::string::npos);
  CHECK(first.find("Sort") == std::string::npos);
  CHECK(first.find("Seq Scan on conversations") == std::string::npos);
  // A later page: the keyset is an index condition, still no sort.
  auto later = plan_of({tenant, P(), P(), P(), P(), "51", "user-a", "1700000000000000",
                        "00000000-0000-0000-0000-000000000000"});
  CHECK(later.find("Index Cond") != std::string::npos);
  CHECK(later.find("updated_at") != std::string::npos);
  CHECK(later.find("Sort") == std::string::npos);
  // Waiting only: the partial index.
  auto waiting = plan_of({tenant, P(), P(), P(), "true", "51", "user-a", P(), P()});
  CHECK(waiting.find("conversations_tenant_waiting") != std::string::npos);
}
