// Telegram through the real gateway and the real channel-connector (in process, on a fresh
// database and the test Redis) with the fake Telegram Bot API: the channels REST routes, the
// public webhook route (secret header and body limit before any work, a repeated update stored
// once), the bot's reply with its sources at Telegram, and an operator's WebSocket message
// delivered to the Telegram chat.

#include <catch2/catch.hpp>

#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/client.hpp"
#include "channels/channel_deliveries.hpp"
#include "fake_services.hpp"
#include "fake_meta.hpp"
#include "fake_telegram.hpp"
#include "fake_upstreams.hpp"
#include "gateway_fleet.hpp"
#include "channels/whatsapp_wire.hpp"

using namespace botfactory::gateway_test;
namespace common = botfactory::common;
namespace pg = botfactory::pg;
namespace rpc = botfactory::rpc;
namespace metrics = botfactory::metrics;
namespace testenv = botfactory::testenv;
namespace crypto = botfactory::crypto;
namespace gateway = botfactory::gateway;
namespace ai = botfactory::ai;
namespace cc = botfactory::channel;
namespace cct = botfactory::channel::testing_support;

namespace {

/// channel-connector's real wiring with bindings on, served over gRPC (the shared cct::Harness),
/// the fake Telegram and Meta Graph APIs in front of it.
cc::BindingSettings test_bindings(const cct::FakeTelegram& telegram, const cct::FakeMeta& meta) {
  cc::BindingSettings b;
  b.telegram_api_base_url = telegram.base_url();
  b.meta_graph_base_url = meta.base_url();
  b.public_base_url = "https://bots.example.com";
  b.outbox.idle_poll = std::chrono::milliseconds(100);
  b.outbox.rates.per_chat_interval = std::chrono::milliseconds(0);
  b.inbox.idle_poll = std::chrono::milliseconds(100);
  return b;
}

struct ChannelConnector {
  cct::FakeTelegram telegram;
  cct::FakeMeta meta;
  cct::Harness harness{{}, test_bindings(telegram, meta)};
  cct::FakeRegistry& registry = harness.registry;
  cct::FakeAi& ai = harness.ai;
  pg::Pool* pool = &harness.pool();

  std::string address() const { return harness.address(); }
  std::string fakes_address() const { return harness.fakes_address(); }
};

/// The fakes, the channel-connector and a gateway in front of them (bots live in the
/// connector's fake registry).
struct Stack {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  ChannelConnector connector;
  Instance gateway{fakes.address(), [this](gateway::GatewaySettings& s) {
                     s.channel_addr = connector.address();
                     s.registry_addr = connector.fakes_address();
                   }};
};

HttpResult webhook(unsigned short port, const std::string& channel_id, const std::string& secret,
                   const std::string& body) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!secret.empty()) headers.emplace_back("X-Telegram-Bot-Api-Secret-Token", secret);
  return http_call(port, http::verb::post, "/webhooks/telegram/" + channel_id, body, {},
                   "application/json", headers);
}

}  // namespace

TEST_CASE("Telegram through the gateway: connect, webhook checks, dedupe, reply with sources, "
          "operator reply from the WebSocket") {
  Stack stack;
  auto& fakes = stack.fakes;
  auto& connector = stack.connector;
  auto port = stack.gateway.port();
  const std::string tenant = common::random_uuid();
  auto bot = connector.registry.add_bot(tenant, "Mozilla Help", "en", "");
  auto token = user_token(fakes, tenant);
  auto telegram_token = connector.telegram.add_bot(6661001, "mozilla_help_bot");
  connector.ai.deltas = {"Relay forwards mail [1]."};
  ai::v1::Source source;
  source.set_document_id(common::random_uuid());
  source.set_document_title("Firefox Relay FAQ");
  connector.ai.sources = {source};
  const std::string channels = "/api/v1/bots/" + bot.id() + "/channels";

  auto r = http_call(port, http::verb::post, channels, R"({"type":"telegram","token":"nope"})", token);
  CHECK(r.status == 400);
  CHECK(r.error_code() == "validation_failed");
  r = http_call(port, http::verb::post, channels,
                R"({"type":"telegram","token":"123456:AAHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})", token);
  CHECK(r.status == 400);
  CHECK_THAT(r.body, Catch::Contains("Telegram refused the bot token"));
  r = http_call(port, http::verb::post, channels, R"({"type":"fax","token":"x"})", token);
  CHECK(r.status == 400);
  r = http_call(port, http::verb::post, channels, R"({"type":"telegram"})");
  CHECK(r.status == 401);

  r = http_call(port, http::verb::post, channels,
                json::serialize(json::object{{"type", "telegram"}, {"token", telegram_token}, {"mode", "webhook"}}),
                token);
  REQUIRE(r.status == 201);
  CHECK(r.body.find(telegram_token) == std::string::npos);
  CHECK(r.body.find(telegram_token.substr(4)) == std::string::npos);
  auto channel = r.json();
  std::string channel_id(channel.at("id").as_string());
  CHECK(channel.at("credentials_hint").as_string() == "\xE2\x80\xA6" + telegram_token.substr(telegram_token.size() - 4));
  CHECK(channel.at("display_name").as_string() == "@mozilla_help_bot");
  CHECK(channel.at("webhook_url").as_string() == "https://bots.example.com/webhooks/telegram/" + channel_id);
  CHECK(channel.at("health").at("state").as_string() == "connected");
  auto secret = connector.telegram.webhook_secret(telegram_token);
  REQUIRE_FALSE(secret.empty());

  // Plan limit: one channel per bot on the trial.
  auto second = connector.telegram.add_bot(6661002, "other_bot");
  r = http_call(port, http::verb::post, channels,
                json::serialize(json::object{{"type", "telegram"}, {"token", second}, {"mode", "polling"}}), token);
  CHECK(r.status == 402);
  CHECK(r.error_code() == "quota_exceeded");
  CHECK_THAT(r.body, Catch::Contains("plan limit reached: 1 channel(s) per bot"));

  std::string update = R"({"update_id":8001,)" +
                       cct::FakeTelegram::text_update(5150, "Grace", "What does Relay do?").substr(1);
  CHECK(webhook(port, channel_id, "", update).status == 403);
  CHECK(webhook(port, channel_id, "wrong-secret", update).status == 403);
  CHECK(webhook(port, common::random_uuid(), secret, update).status == 403);
  CHECK(webhook(port, channel_id, secret, std::string(300000, ' ')).status == 413);
  CHECK(webhook(port, channel_id, secret, "not json").status == 400);
  for (int i = 0; i < 3; ++i) CHECK(webhook(port, channel_id, secret, update).status == 200);

  REQUIRE(cct::wait_until([&] { return !connector.telegram.sent().empty(); }));
  auto sent = connector.telegram.sent();
  CHECK(sent[0].chat_id == "5150");
  CHECK(sent[0].text == "Relay forwards mail [1].\n\nSources:\n[1] Firefox Relay FAQ");

  // tgrate: 👍 pressed under the reply comes through the same webhook route, is stored as answer
  // feedback and listed by the dashboard's Feedback route like a widget rating.
  REQUIRE_FALSE(sent[0].reply_markup.empty());
  auto markup = json::parse(sent[0].reply_markup);
  std::string up(markup.at("inline_keyboard").at(0).at(0).at("callback_data").as_string());
  std::string press =
      R"({"update_id":8002,)" + cct::FakeTelegram::callback_update(5150, 1, up, "gw-press").substr(1);
  CHECK(webhook(port, channel_id, "wrong-secret", press).status == 403);
  CHECK(webhook(port, channel_id, secret, press).status == 200);
  REQUIRE(cct::wait_until([&] { return !connector.telegram.callback_answers().empty(); }));
  CHECK(connector.telegram.callback_answers()[0].text == "Thanks for your feedback!");
  auto rated = http_call(port, http::verb::get, "/api/v1/bots/" + bot.id() + "/feedback", "", token);
  REQUIRE(rated.status == 200);
  CHECK(rated.json().at("up").as_int64() == 1);
  auto rated_replies = rated.json().at("replies").as_array();
  REQUIRE(rated_replies.size() == 1);
  CHECK(rated_replies[0].at("rating").as_string() == "up");
  CHECK(rated_replies[0].at("question").as_string() == "What does Relay do?");
  CHECK(rated_replies[0].at("channel").as_string() == "telegram");

  // The operator sees the Telegram conversation like a widget one, and answers on the WebSocket.
  r = http_call(port, http::verb::get, "/api/v1/bots/" + bot.id() + "/conversations", "", token);
  REQUIRE(r.status == 200);
  auto conversations = r.json().at("conversations").as_array();
  REQUIRE(conversations.size() == 1);
  auto conversation = conversations[0].as_object();
  CHECK(conversation.at("channel").as_string() == "telegram");
  std::string conversation_id(conversation.at("id").as_string());
  r = http_call(port, http::verb::get, "/api/v1/conversations/" + conversation_id + "/messages", "", token);
  REQUIRE(r.status == 200);
  CHECK(r.json().at("messages").as_array().size() == 2);  // the question once, the reply

  WsClient op(port, token);
  REQUIRE(op.open());
  CHECK(op.join(conversation_id, 2).at("type").as_string() == "conversation.joined");
  op.send_json({{"type", "message.send"},
                {"conversation_id", conversation_id},
                {"client_id", "op-1"},
                {"text", "Hi Grace, an operator here."}});
  CHECK(op.read_type("message.ack").at("seq").as_int64() == 3);
  REQUIRE(cct::wait_until([&] { return connector.telegram.sent().size() == 2; }));
  CHECK(connector.telegram.sent()[1].text == "Hi Grace, an operator here.");

  // Telegram has the message; the outbox marks its row sent just after (bounded poll).
  json::object health;
  CHECK(cct::wait_until([&] {
    r = http_call(port, http::verb::get, channels, "", token);
    if (r.status != 200) return false;
    health = r.json().at("channels").as_array().at(0).at("health").as_object();
    return health.at("pending_outbound").as_int64() == 0;
  }));
  REQUIRE(r.status == 200);
  CHECK(health.at("state").as_string() == "connected");
  CHECK(health.at("last_inbound_at").is_string());
  CHECK(health.at("pending_outbound").as_int64() == 0);
  CHECK(health.at("webhook").at("registered_url").as_string() ==
        "https://bots.example.com/webhooks/telegram/" + channel_id);  // getWebhookInfo

  r = http_call(port, http::verb::delete_, channels + "/" + channel_id, "", token);
  CHECK(r.status == 204);
  CHECK(connector.telegram.webhook_url(telegram_token).empty());
  CHECK(webhook(port, channel_id, secret, update).status == 403);
  r = http_call(port, http::verb::get, channels, "", token);
  CHECK(r.json().at("channels").as_array().empty());
}

TEST_CASE("WhatsApp through the gateway: connect, verification, signature before any work, dedupe, "
          "reply at Meta") {
  Stack stack;
  auto& fakes = stack.fakes;
  auto& connector = stack.connector;
  auto port = stack.gateway.port();
  const std::string tenant = common::random_uuid();
  auto bot = connector.registry.add_bot(tenant, "Mozilla Help", "en", "");
  auto token = user_token(fakes, tenant);
  const std::string access_token = "EAAGm0PX4ZCpsBAgatewaytoken9876";
  const std::string app_secret = "gateway-app-secret-42";
  connector.meta.add_token(access_token);
  connector.ai.deltas = {"Relay forwards mail."};
  const std::string channels = "/api/v1/bots/" + bot.id() + "/channels";

  auto r = http_call(port, http::verb::post, channels, R"({"type":"whatsapp","phone_number_id":"1065"})", token);
  CHECK(r.status == 400);
  r = http_call(port, http::verb::post, channels,
                json::serialize(json::object{{"type", "whatsapp"}, {"phone_number_id", "106540352242922"},
                                             {"access_token", access_token}, {"app_secret", app_secret},
                                             {"verify_token", "verify-gw"}}),
                token);
  REQUIRE(r.status == 201);
  CHECK(r.body.find(access_token) == std::string::npos);
  CHECK(r.body.find(app_secret) == std::string::npos);
  CHECK(r.body.find("verify-gw") == std::string::npos);
  auto channel = r.json();
  std::string channel_id(channel.at("id").as_string());
  CHECK(channel.at("type").as_string() == "whatsapp");
  CHECK(channel.at("webhook_url").as_string() == "https://bots.example.com/webhooks/whatsapp/" + channel_id);
  CHECK(channel.at("health").at("window_closed_outbound").as_int64() == 0);
  const std::string path = "/webhooks/whatsapp/" + channel_id;

  // Verification.
  r = http_call(port, http::verb::get, path + "?hub.mode=subscribe&hub.verify_token=verify-gw&hub.challenge=8842");
  CHECK(r.status == 200);
  CHECK(r.body == "8842");
  CHECK(http_call(port, http::verb::get, path + "?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1").status == 403);
  CHECK(http_call(port, http::verb::get, path).status == 403);

  // Signature: missing or wrong → 401, nothing stored.
  std::string body =
      R"({"object":"whatsapp_business_account","entry":[{"id":"W","changes":[{"field":"messages","value":{)"
      R"("contacts":[{"profile":{"name":"Grace"},"wa_id":"15557654321"}],"messages":[{"from":"15557654321",)"
      R"("id":"wamid.GW1","timestamp":"1700000000","type":"text","text":{"body":"What does Relay do?"}}]}}]}]})";
  auto post = [&](const std::string& signature, const std::string& payload) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!signature.empty()) headers.emplace_back("X-Hub-Signature-256", signature);
    return http_call(port, http::verb::post, path, payload, {}, "application/json", headers);
  };
  CHECK(post("", body).status == 401);
  CHECK(post("sha256=" + std::string(64, 'a'), body).status == 401);
  CHECK(post(cc::whatsapp::sign("other", body), body).status == 401);
  CHECK(post(cc::whatsapp::sign(app_secret, std::string(300000, ' ')), std::string(300000, ' ')).status == 413);
  {
    auto connection = connector.pool->acquire();
    CHECK(connection->exec("SELECT count(*) FROM chat.channel_inbox").int64(0, 0) == 0);
  }
  auto signature = cc::whatsapp::sign(app_secret, body);
  for (int i = 0; i < 3; ++i) CHECK(post(signature, body).status == 200);
  REQUIRE(cct::wait_until([&] { return !connector.meta.sent().empty(); }));
  CHECK(connector.meta.sent()[0].to == "15557654321");
  CHECK(connector.meta.sent()[0].text == "Relay forwards mail.");
  {
    auto connection = connector.pool->acquire();
    CHECK(connection->exec("SELECT count(*) FROM chat.messages WHERE sender_kind = 'visitor'").int64(0, 0) == 1);
  }
  r = http_call(port, http::verb::get, "/api/v1/bots/" + bot.id() + "/conversations", "", token);
  CHECK_THAT(r.body, Catch::Contains("\"whatsapp\""));

  // Instagram shares the route's checks: no signature → 401 before the body; a WhatsApp channel's
  // id on the Instagram route verifies (the channel decides how the body is parsed).
  CHECK(http_call(port, http::verb::post, "/webhooks/instagram/" + channel_id, body).status == 401);
  CHECK(http_call(port, http::verb::get, "/webhooks/instagram/" + common::random_uuid() +
                                           "?hub.mode=subscribe&hub.verify_token=verify-gw&hub.challenge=1")
            .status == 403);
}

TEST_CASE("channels REST: failed deliveries listed and replayed once, health per the dashboard "
          "contract, credentials refused by the Graph API, another tenant gets 404") {
  Stack stack;
  auto& fakes = stack.fakes;
  auto& connector = stack.connector;
  auto port = stack.gateway.port();
  const std::string tenant = common::random_uuid();
  auto bot = connector.registry.add_bot(tenant, "Mozilla Help", "en", "");
  auto token = user_token(fakes, tenant);
  auto other_token = user_token(fakes, common::random_uuid());
  const std::string channels = "/api/v1/bots/" + bot.id() + "/channels";

  // WhatsApp credentials the Graph API refuses: 400 invalid_credentials; unreachable: 502.
  auto whatsapp = json::serialize(json::object{{"type", "whatsapp"}, {"phone_number_id", "106540352242922"},
                                               {"access_token", "EAAGunknowntoken0000"},
                                               {"app_secret", "s"}, {"verify_token", "v"}});
  auto r = http_call(port, http::verb::post, channels, whatsapp, token);
  CHECK(r.status == 400);
  CHECK(r.error_code() == "invalid_credentials");
  CHECK_THAT(r.body, Catch::Contains("Graph API refused the access token"));
  CHECK(r.body.find("EAAGunknowntoken0000") == std::string::npos);
  connector.meta.fail_account_checks(503);
  r = http_call(port, http::verb::post, channels, whatsapp, token);
  CHECK(r.status == 502);
  CHECK(r.error_code() == "provider_unreachable");
  connector.meta.fail_account_checks(0);
  r = http_call(port, http::verb::post, channels,
                R"({"type":"telegram","token":"123456:AAHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})", token);
  CHECK(r.status == 400);
  CHECK(r.error_code() == "invalid_credentials");

  auto telegram_token = connector.telegram.add_bot(6662001, "replay_bot");
  r = http_call(port, http::verb::post, channels,
                json::serialize(json::object{{"type", "telegram"}, {"token", telegram_token}, {"mode", "webhook"}}),
                token);
  REQUIRE(r.status == 201);
  std::string channel_id(r.json().at("id").as_string());
  auto secret = connector.telegram.webhook_secret(telegram_token);
  connector.telegram.set_webhook_health(3, "Connection refused", 1700000000);

  // The bot's reply is refused by Telegram (400: final): one failed delivery.
  connector.ai.deltas = {"Relay forwards mail."};
  connector.telegram.fail_next(400, "Bad Request: chat not found");
  std::string update = R"({"update_id":9001,)" +
                       cct::FakeTelegram::text_update(5151, "Grace", "What does Relay do?").substr(1);
  CHECK(webhook(port, channel_id, secret, update).status == 200);
  const std::string deliveries = channels + "/" + channel_id + "/deliveries";
  REQUIRE(cct::wait_until([&] {
    auto listed = http_call(port, http::verb::get, deliveries + "?status=failed&limit=10", "", token);
    return listed.status == 200 && listed.json().at("deliveries").as_array().size() == 1;
  }));
  r = http_call(port, http::verb::get, deliveries + "?status=failed&limit=10", "", token);
  auto item = r.json().at("deliveries").as_array().at(0).as_object();
  CHECK(item.at("id").is_string());
  CHECK(item.at("chat_id").as_string() == "5151");
  CHECK(item.at("text_preview").as_string() == "Relay forwards mail.");
  CHECK(item.at("attempts").as_int64() == 1);
  CHECK_THAT(std::string(item.at("last_error").as_string()), Catch::Contains("400"));
  CHECK(item.at("failed_at").is_string());
  CHECK(item.at("status").as_string() == "failed");
  CHECK(http_call(port, http::verb::get, deliveries + "?status=sent", "", token).status == 400);
  CHECK(http_call(port, http::verb::get, deliveries + "?limit=0", "", token).status == 400);
  CHECK(http_call(port, http::verb::get, deliveries + "?limit=abc", "", token).status == 400);

  auto health = http_call(port, http::verb::get, channels, "", token).json().at("channels").as_array().at(0).at("health");
  CHECK(health.at("state").as_string() == "connected");
  CHECK(health.at("failed_deliveries").as_int64() == 1);
  CHECK(health.at("last_inbound_at").is_string());
  CHECK_THAT(std::string(health.at("last_delivery_error").as_string()), Catch::Contains("400"));
  CHECK(health.at("last_delivery_error_at").is_string());
  auto hook = health.at("webhook").as_object();
  CHECK(hook.at("url").as_string() == "https://bots.example.com/webhooks/telegram/" + channel_id);
  CHECK(hook.at("pending_update_count").as_int64() == 3);
  CHECK(hook.at("last_error_message").as_string() == "Connection refused");
  CHECK_THAT(std::string(hook.at("last_error_at").as_string()), Catch::StartsWith("2023-11-14T22:13:20"));
  CHECK(hook.at("error").is_null());

  // Another tenant: 404 for the list and the replay, nothing re-queued.
  CHECK(http_call(port, http::verb::get, deliveries, "", other_token).status == 404);
  r = http_call(port, http::verb::post, deliveries + "/replay", "", other_token);
  CHECK(r.status == 404);
  CHECK(http_call(port, http::verb::get, deliveries, "", token).json().at("deliveries").as_array().size() == 1);

  CHECK(http_call(port, http::verb::post, deliveries + "/replay", R"({"ids":[]})", token).status == 400);
  CHECK(http_call(port, http::verb::post, deliveries + "/replay", R"({"ids":["x1"]})", token).status == 400);
  CHECK(http_call(port, http::verb::post, deliveries + "/replay", R"({"ids":"1"})", token).status == 400);
  r = http_call(port, http::verb::post, deliveries + "/replay",
                json::serialize(json::object{{"ids", json::array{item.at("id")}}}), token);
  REQUIRE(r.status == 200);
  CHECK(r.json().at("replayed").as_int64() == 1);
  r = http_call(port, http::verb::post, deliveries + "/replay", "", token);
  CHECK(r.json().at("replayed").as_int64() == 0);
  REQUIRE(cct::wait_until([&] { return connector.telegram.sent().size() == 1; }));
  CHECK(connector.telegram.sent()[0].text == "Relay forwards mail.");
  CHECK(connector.telegram.send_attempts() == 2);
  CHECK(http_call(port, http::verb::get, deliveries, "", token).json().at("deliveries").as_array().empty());
}

namespace {

/// A visitor message to `conversation_id` through channel-connector's gRPC; waits for the bot's
/// answer (`count` messages in the conversation).
void visitor_asks(const std::string& address, const std::string& tenant,
                  const std::string& conversation_id, const std::string& client_id,
                  int count) {
  auto stub = botfactory::chat::v1::ChannelConnectorService::NewStub(rpc::make_channel(address));
  {
    grpc::ClientContext context;
    botfactory::chat::v1::PostMessageRequest request;
    request.set_tenant_id(tenant);
    request.set_conversation_id(conversation_id);
    request.set_client_id(client_id);
    request.mutable_sender()->set_kind(botfactory::common::v1::SENDER_KIND_VISITOR);
    request.mutable_sender()->set_id("visitor-1");
    request.set_text("Is the service up?");
    botfactory::chat::v1::PostMessageResponse response;
    REQUIRE(stub->PostMessage(&context, request, &response).ok());
  }
  REQUIRE(cct::wait_until([&] {
    grpc::ClientContext context;
    botfactory::chat::v1::ListMessagesRequest request;
    request.set_tenant_id(tenant);
    request.set_conversation_id(conversation_id);
    botfactory::chat::v1::ListMessagesResponse response;
    return stub->ListMessages(&context, request, &response).ok() &&
           response.messages_size() >= count;
  }));
}

}  // namespace

TEST_CASE("GET /api/v1/bots/{id}/model-status: degraded after a provider fallback, ok after a "
          "model reply; another tenant's bot is 404") {
  Stack stack;
  auto& fakes = stack.fakes;
  auto& connector = stack.connector;
  auto port = stack.gateway.port();
  const std::string tenant = common::random_uuid();
  auto bot = connector.registry.add_bot(tenant, "Status Bot", "en", "");
  auto token = user_token(fakes, tenant);
  const std::string path = "/api/v1/bots/" + bot.id() + "/model-status";

  auto fresh = http_call(port, http::verb::get, path, {}, token);
  REQUIRE(fresh.status == 200);
  CHECK(fresh.json().at("bot_id").as_string() == bot.id());
  CHECK(fresh.json().at("state").as_string() == "ok");
  CHECK(fresh.json().at("last_fallback_reason").is_null());
  CHECK(fresh.json().at("last_fallback_at").is_null());
  CHECK(fresh.json().at("last_model_reply_at").is_null());

  botfactory::chat::v1::CreateConversationRequest create;
  create.set_tenant_id(tenant);
  create.set_bot_id(bot.id());
  botfactory::chat::v1::Conversation conversation;
  {
    auto stub = botfactory::chat::v1::ChannelConnectorService::NewStub(
        rpc::make_channel(connector.address()));
    grpc::ClientContext context;
    REQUIRE(stub->CreateConversation(&context, create, &conversation).ok());
  }

  connector.ai.fallback_reason = "provider_rate_limited";
  visitor_asks(connector.address(), tenant, conversation.id(), "v-1", 2);
  auto degraded = http_call(port, http::verb::get, path, {}, token);
  REQUIRE(degraded.status == 200);
  CHECK(degraded.json().at("state").as_string() == "degraded");
  CHECK(degraded.json().at("last_fallback_reason").as_string() == "provider_rate_limited");
  CHECK(degraded.json().at("last_fallback_at").is_string());
  CHECK(degraded.json().at("last_model_reply_at").is_null());

  connector.ai.fallback_reason = "";
  visitor_asks(connector.address(), tenant, conversation.id(), "v-2", 4);
  auto ok = http_call(port, http::verb::get, path, {}, token);
  REQUIRE(ok.status == 200);
  CHECK(ok.json().at("state").as_string() == "ok");
  CHECK(ok.json().at("last_model_reply_at").is_string());

  auto other = http_call(port, http::verb::get, path, {}, user_token(fakes, common::random_uuid()));
  CHECK(other.status == 404);
  CHECK(other.error_code() == "not_found");
  CHECK(http_call(port, http::verb::get, path).status == 401);
}
