// WhatsApp Cloud API channels inside channel-connector, on real PostgreSQL and Redis with the fake
// Meta Graph API (fake_meta.hpp): connecting (sealed, masked, plan limit), webhook verification,
// X-Hub-Signature-256 (missing or wrong → UNAUTHENTICATED and nothing stored), the same message
// three times = one message, the bot's reply at the fake, statuses on the outbox row, retries,
// and the 24-hour customer-service window.

#include "botfactory/chat/v1/channels.pb.h"
#include <spdlog/spdlog.h>

#include "botfactory/testenv/stderr_capture.hpp"
#include "channels/channel_deliveries.hpp"
#include "channel_harness.hpp"
#include "channels/instagram_wire.hpp"
#include "channels/whatsapp_wire.hpp"

using namespace botfactory;
using namespace botfactory::channel;
using namespace botfactory::channel::testing_support;

namespace {

constexpr const char* kAppSecret = "app-secret-0123456789abcdef";
constexpr const char* kAccessToken = "EAAGm0PX4ZCpsBAFAKEACCESSTOKEN1234";
constexpr const char* kVerifyToken = "verify-me-please";

ConnectRequest whatsapp_request(const ChannelHarness& h, const std::string& phone_number_id) {
  ConnectRequest r;
  r.tenant_id = h.tenant;
  r.bot_id = h.bot.id();
  r.type = "whatsapp";
  r.phone_number_id = phone_number_id;
  r.access_token = kAccessToken;
  r.app_secret = kAppSecret;
  r.verify_token = kVerifyToken;
  return r;
}

/// A webhook body with one text message `wamid` from `from` (profile name `name`).
std::string text_payload(const std::string& phone_number_id, const std::string& wamid,
                         const std::string& from, const std::string& name, const std::string& text) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[{"field":"messages","value":{)"
         R"("messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001","phone_number_id":")" +
         phone_number_id + R"("},"contacts":[{"profile":{"name":")" + name + R"("},"wa_id":")" + from +
         R"("}],"messages":[{"from":")" + from + R"(","id":")" + wamid + R"(","timestamp":"1700000000",)"
         R"("type":"text","text":{"body":")" + text + R"("}}]}}]}]})";
}

std::string status_payload(const std::string& wamid, const std::string& status) {
  std::string errors = status == "failed" ? R"(,"errors":[{"code":131026,"title":"Message undeliverable"}])" : "";
  return R"({"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[{"field":"messages","value":{)"
         R"("messaging_product":"whatsapp","statuses":[{"id":")" + wamid + R"(","status":")" + status +
         R"(","timestamp":"1700000001","recipient_id":"15551234567")" + errors + "}]}}]}]}";
}

}  // namespace

TEST_CASE("whatsapp connect: fields checked, credentials sealed and masked, plan limit, verification") {
  ChannelHarness h([](BindingSettings& b) { b.public_base_url = "https://bots.example.com"; });
  h.meta.add_token(kAccessToken);
  auto request = whatsapp_request(h, "106540352242922");
  auto missing = request;
  missing.app_secret.clear();
  CHECK(code_of([&] { h.app->bindings().connect(missing); }) == grpc::StatusCode::INVALID_ARGUMENT);
  auto bad_id = request;
  bad_id.phone_number_id = "12ab";
  CHECK(code_of([&] { h.app->bindings().connect(bad_id); }) == grpc::StatusCode::INVALID_ARGUMENT);
  auto other_tenant = request;
  other_tenant.tenant_id = random_uuid();
  CHECK(code_of([&] { h.app->bindings().connect(other_tenant); }) == grpc::StatusCode::NOT_FOUND);

  auto view = h.app->bindings().connect(request);
  CHECK(view.record.kind == "whatsapp");
  CHECK(view.record.mode == "webhook");
  CHECK(view.record.external_id == "106540352242922");
  CHECK(view.record.last_four == "1234");
  CHECK(view.webhook_url == "https://bots.example.com/webhooks/whatsapp/" + view.record.id);
  for (const char* secret : {kAppSecret, kAccessToken, kVerifyToken}) {
    CHECK(h.count("SELECT count(*) FROM chat.channels WHERE position(convert_to($1, 'UTF8') IN "
                  "credentials_ciphertext) > 0",
                  {std::string(secret)}) == 0);
  }
  auto second = whatsapp_request(h, "106540352242923");
  CHECK(code_of([&] { h.app->bindings().connect(second); }) == grpc::StatusCode::RESOURCE_EXHAUSTED);
  h.subscription.max_channels = 5;
  CHECK(code_of([&] { h.app->bindings().connect(request); }) == grpc::StatusCode::ALREADY_EXISTS);

  // Verification: hub.mode=subscribe and the right verify token → the challenge; else denied.
  auto& b = h.app->bindings();
  CHECK(b.verify_meta_webhook(view.record.id, "subscribe", kVerifyToken, "1158201444") == "1158201444");
  CHECK(code_of([&] { b.verify_meta_webhook(view.record.id, "subscribe", "wrong", "1"); }) ==
        grpc::StatusCode::PERMISSION_DENIED);
  CHECK(code_of([&] { b.verify_meta_webhook(view.record.id, "unsubscribe", kVerifyToken, "1"); }) ==
        grpc::StatusCode::PERMISSION_DENIED);
  CHECK(code_of([&] { b.verify_meta_webhook(random_uuid(), "subscribe", kVerifyToken, "1"); }) ==
        grpc::StatusCode::PERMISSION_DENIED);

  auto listed = b.list(h.tenant, h.bot.id());
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].webhook_url == view.webhook_url);
  b.disconnect(h.tenant, h.bot.id(), view.record.id);
  CHECK(b.list(h.tenant, h.bot.id()).empty());
}

TEST_CASE("whatsapp webhook: signature required, one message three times, reply at Meta, statuses") {
  ChannelHarness h;
  h.meta.add_token(kAccessToken);
  h.ai.deltas = {"Relay hides your address [1]."};
  ai::v1::Source source;
  source.set_document_id(random_uuid());
  source.set_document_title("Firefox Relay FAQ");
  source.set_chunk_id("c1");
  h.ai.sources = {source};
  auto view = h.app->bindings().connect(whatsapp_request(h, "106540352242922"));
  auto& b = h.app->bindings();
  const std::string id = view.record.id;
  auto body = text_payload("106540352242922", "wamid.HBgLMTU1NTEyMzQ1NjcVAgASGBQzQTk5QUFFRUY0RjE2QjM1MUEwMQA=",
                           "15551234567", "Ada Lovelace", "What does Relay do?");

  CHECK(code_of([&] { b.receive_meta_webhook(id, "", body); }) == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(code_of([&] { b.receive_meta_webhook(id, "sha256=" + std::string(64, '0'), body); }) ==
        grpc::StatusCode::UNAUTHENTICATED);
  CHECK(code_of([&] { b.receive_meta_webhook(id, whatsapp::sign("another secret", body), body); }) ==
        grpc::StatusCode::UNAUTHENTICATED);
  // Signed for a different body (a tampered payload).
  CHECK(code_of([&] { b.receive_meta_webhook(id, whatsapp::sign(kAppSecret, body + " "), body); }) ==
        grpc::StatusCode::UNAUTHENTICATED);
  CHECK(code_of([&] { b.receive_meta_webhook(random_uuid(), whatsapp::sign(kAppSecret, body), body); }) ==
        grpc::StatusCode::UNAUTHENTICATED);
  CHECK(h.count("SELECT count(*) FROM chat.channel_inbox") == 0);
  CHECK(code_of([&] { b.receive_meta_webhook(id, whatsapp::sign(kAppSecret, "[1]"), "[1]"); }) ==
        grpc::StatusCode::INVALID_ARGUMENT);

  auto signature = whatsapp::sign(kAppSecret, body);
  CHECK(b.receive_meta_webhook(id, signature, body).messages_stored == 1);
  CHECK(b.receive_meta_webhook(id, signature, body).messages_stored == 0);
  CHECK(b.receive_meta_webhook(id, signature, body).messages_stored == 0);

  REQUIRE(wait_until([&] { return !h.meta.sent().empty(); }));
  auto sent = h.meta.sent();
  CHECK(sent[0].path == "/v21.0/106540352242922/messages");
  CHECK(sent[0].token == kAccessToken);
  CHECK(sent[0].to == "15551234567");
  CHECK(sent[0].text == "Relay hides your address [1].\n\nSources:\n[1] Firefox Relay FAQ");
  CHECK(h.count("SELECT count(*) FROM chat.conversations WHERE channel = 'whatsapp'") == 1);
  CHECK(h.text("SELECT visitor_name FROM chat.conversations WHERE channel = 'whatsapp'") == "Ada Lovelace");
  CHECK(h.text("SELECT visitor_id FROM chat.conversations WHERE channel = 'whatsapp'") ==
        "whatsapp:15551234567");
  CHECK(h.count("SELECT count(*) FROM chat.messages WHERE sender_kind = 'visitor'") == 1);
  CHECK(h.count("SELECT count(*) FROM chat.messages WHERE sender_kind = 'bot'") == 1);
  REQUIRE(wait_until([&] {
    return h.text("SELECT external_message_id FROM chat.channel_outbox WHERE state = 'sent'") == sent[0].wamid;
  }));

  // Statuses land on the outbox row of that wamid.
  for (const char* status : {"sent", "delivered", "read"}) {
    auto s = status_payload(sent[0].wamid, status);
    CHECK(b.receive_meta_webhook(id, whatsapp::sign(kAppSecret, s), s).statuses_recorded == 1);
    CHECK(h.text("SELECT delivery_status FROM chat.channel_outbox WHERE external_message_id = $1",
                 {sent[0].wamid}) == status);
  }
  auto failed = status_payload(sent[0].wamid, "failed");
  b.receive_meta_webhook(id, whatsapp::sign(kAppSecret, failed), failed);
  CHECK(h.text("SELECT last_error FROM chat.channel_outbox WHERE external_message_id = $1", {sent[0].wamid}) ==
        "131026 Message undeliverable");
  auto listed = b.list(h.tenant, h.bot.id());
  REQUIRE(listed.size() == 1);
  CHECK_THAT(listed[0].record.last_delivery_error, Catch::Contains("131026"));
  CHECK(listed[0].record.last_inbound_at_us > 0);
  // Out of order (Meta does not promise order): a "delivered" after "failed" changes nothing.
  auto late = status_payload(sent[0].wamid, "delivered");
  b.receive_meta_webhook(id, whatsapp::sign(kAppSecret, late), late);
  CHECK(h.text("SELECT delivery_status FROM chat.channel_outbox WHERE external_message_id = $1",
               {sent[0].wamid}) == "failed");

  // A status that comes before the send stored Meta's id waits, then lands when it is stored.
  auto early = status_payload("wamid.early", "delivered");
  CHECK(b.receive_meta_webhook(id, whatsapp::sign(kAppSecret, early), early).statuses_recorded == 1);
  CHECK(h.count("SELECT count(*) FROM chat.channel_early_statuses WHERE external_message_id = 'wamid.early'") == 1);
  auto row = h.count("SELECT id FROM chat.channel_outbox WHERE state = 'sent'");
  h.text("UPDATE chat.channel_outbox SET delivery_status = '' WHERE id = $1 RETURNING delivery_status",
         {std::to_string(row)});
  ChannelRepository(*h.pool).outbox_sent(row, "wamid.early");
  CHECK(h.text("SELECT delivery_status FROM chat.channel_outbox WHERE id = $1", {std::to_string(row)}) ==
        "delivered");
  CHECK(h.count("SELECT count(*) FROM chat.channel_early_statuses") == 0);
}

TEST_CASE("whatsapp outbox: 5xx retried, 400 never, the 24-hour window closes visibly, long text") {
  ChannelHarness h;
  h.meta.add_token(kAccessToken);
  auto view = h.app->bindings().connect(whatsapp_request(h, "106540352242922"));
  ChannelRepository repository(*h.pool);
  auto record = repository.get(view.record.id);
  REQUIRE(record);
  auto conversation = repository.conversation_for_chat(*record, "15550009999", "whatsapp:15550009999", "Eve");

  h.meta.fail_next(500, 2, "Service temporarily unavailable");
  h.operator_says(conversation, "a", "first");
  REQUIRE(wait_until([&] { return h.meta.sent().size() == 1; }));
  CHECK(h.meta.sent()[0].text == "first");
  CHECK(h.meta.send_attempts() == 2);

  h.meta.fail_next(400, 100, "Invalid parameter");
  h.operator_says(conversation, "b", "second");
  REQUIRE(wait_until([&] { return h.count("SELECT count(*) FROM chat.channel_outbox WHERE state = 'failed'") == 1; }));
  CHECK(h.meta.send_attempts() == 3);

  // Chat messages are at most 4000 characters (the split at 4096 is telegram_test.cpp's
  // split_message, shared): a long message goes out whole.
  std::string long_text;
  while (long_text.size() < 3900) long_text += "Sentence number " + std::to_string(long_text.size()) + ". ";
  h.operator_says(conversation, "c", long_text);
  REQUIRE(wait_until([&] { return h.meta.sent().size() == 2; }));
  CHECK(h.meta.sent()[1].text == long_text.substr(0, long_text.size() - 1));

  // More than 24 h since the customer's last message: not sent, a clear state in the health.
  h.count("WITH u AS (UPDATE chat.conversations SET last_customer_message_at = now() - interval '25 hours' "
          "WHERE id = $1 RETURNING 1) SELECT count(*) FROM u",
          {conversation});
  int before = h.meta.send_attempts();
  h.operator_says(conversation, "d", "are you still there?");
  // The row's state and the channel's last error are two writes: wait for both.
  REQUIRE(wait_until([&] {
    return h.count("SELECT count(*) FROM chat.channel_outbox WHERE state = 'window_closed'") == 1 &&
           h.app->bindings().list(h.tenant, h.bot.id()).at(0).record.last_delivery_error.find(
               "24-hour customer-service window") != std::string::npos;
  }));
  CHECK(h.meta.send_attempts() == before);
  auto listed = h.app->bindings().list(h.tenant, h.bot.id());
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].record.window_closed_outbound == 1);
  CHECK_THAT(listed[0].record.last_delivery_error, Catch::Contains("24-hour customer-service window"));
  // The tenant sees it in the failed list: status window_closed, a reason that says what to do.
  auto failed = h.app->deliveries().list_failed(h.tenant, h.bot.id(), view.record.id, 0);
  REQUIRE(failed.size() == 2);  // "second" (400) and "are you still there?"
  CHECK(failed[0].status == "window_closed");
  CHECK(failed[0].text_preview == "are you still there?");
  CHECK(failed[0].chat_id == "15550009999");
  CHECK_THAT(failed[0].last_error, Catch::StartsWith("window_closed: ") && Catch::Contains("customer has to write first"));
  CHECK(failed[1].status == "failed");
  CHECK(listed[0].record.failed_deliveries == 2);

  // Meta's own 131047 answer (window closed on its side) is the same state.
  h.count("WITH u AS (UPDATE chat.conversations SET last_customer_message_at = now() WHERE id = $1 "
          "RETURNING 1) SELECT count(*) FROM u",
          {conversation});
  h.meta.fail_next(400, whatsapp::kReengagementError, "Re-engagement message");
  h.operator_says(conversation, "e", "hello again");
  REQUIRE(wait_until([&] {
    return h.count("SELECT count(*) FROM chat.channel_outbox WHERE state = 'window_closed'") == 2;
  }));
}

TEST_CASE("instagram: connect, signed messaging[] webhook, echoes ignored, reply at Meta, window") {
  ChannelHarness h([](BindingSettings& b) { b.public_base_url = "https://bots.example.com"; });
  h.meta.add_token(kAccessToken);
  h.ai.deltas = {"Relay hides your address."};
  ConnectRequest request;
  request.tenant_id = h.tenant;
  request.bot_id = h.bot.id();
  request.type = "instagram";
  request.access_token = kAccessToken;
  request.app_secret = kAppSecret;
  request.verify_token = kVerifyToken;
  CHECK(code_of([&] { h.app->bindings().connect(request); }) == grpc::StatusCode::INVALID_ARGUMENT);
  request.instagram_account_id = "17841400000000001";
  auto view = h.app->bindings().connect(request);
  CHECK(view.record.kind == "instagram");
  CHECK(view.webhook_url == "https://bots.example.com/webhooks/instagram/" + view.record.id);
  auto& b = h.app->bindings();
  const std::string id = view.record.id;
  CHECK(b.verify_meta_webhook(id, "subscribe", kVerifyToken, "77") == "77");

  std::string body =
      R"({"object":"instagram","entry":[{"id":"17841400000000001","time":1700000000000,"messaging":[)"
      R"({"sender":{"id":"17841400000000001"},"recipient":{"id":"9911"},"timestamp":1700000000000,)"
      R"("message":{"mid":"aWdfZAEcho","text":"our own reply","is_echo":true}},)"
      R"({"sender":{"id":"9911"},"recipient":{"id":"17841400000000001"},"timestamp":1700000000000,)"
      R"("message":{"mid":"aWdfZAG1faWQZD","text":"What does Relay do?"}}]}]})";
  CHECK(code_of([&] { b.receive_meta_webhook(id, whatsapp::sign("nope", body), body); }) ==
        grpc::StatusCode::UNAUTHENTICATED);
  CHECK(h.count("SELECT count(*) FROM chat.channel_inbox") == 0);
  auto signature = whatsapp::sign(kAppSecret, body);
  CHECK(b.receive_meta_webhook(id, signature, body).messages_stored == 1);
  CHECK(b.receive_meta_webhook(id, signature, body).messages_stored == 0);
  REQUIRE(wait_until([&] { return !h.meta.sent().empty(); }));
  auto sent = h.meta.sent();
  CHECK(sent[0].path == "/v21.0/17841400000000001/messages");
  CHECK(sent[0].to == "9911");
  CHECK(sent[0].text == "Relay hides your address.");
  CHECK(h.text("SELECT visitor_id FROM chat.conversations WHERE channel = 'instagram'") == "instagram:9911");
  CHECK(h.count("SELECT count(*) FROM chat.messages WHERE sender_kind = 'visitor'") == 1);
  REQUIRE(wait_until([&] {
    return h.text("SELECT external_message_id FROM chat.channel_outbox WHERE state = 'sent'") == sent[0].wamid;
  }));

  auto conversation = h.text("SELECT id FROM chat.conversations WHERE channel = 'instagram'");
  h.count("WITH u AS (UPDATE chat.conversations SET last_customer_message_at = now() - interval '25 hours' "
          "WHERE id = $1 RETURNING 1) SELECT count(*) FROM u",
          {conversation});
  h.operator_says(conversation, "late", "still there?");
  REQUIRE(wait_until([&] {
    return h.count("SELECT count(*) FROM chat.channel_outbox WHERE state = 'window_closed'") == 1;
  }));
  CHECK(h.meta.sent().size() == 1);
}

TEST_CASE("meta connect: the Graph API checks the credentials first (4xx → invalid_credentials, "
          "unreachable → provider_unreachable), nothing stored on failure") {
  ChannelHarness h;
  auto details_code = [](const std::function<void()>& call) {
    try {
      call();
    } catch (const rpc::StatusError& e) {
      chat::v1::ChannelErrorInfo info;
      info.ParseFromString(e.details());
      return std::to_string(static_cast<int>(e.code())) + " " + info.code();
    }
    return std::string("ok");
  };
  auto request = whatsapp_request(h, "106540352242922");
  // A token Meta does not know: 400 OAuthException 190.
  CHECK(details_code([&] { h.app->bindings().connect(request); }) ==
        std::to_string(static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT)) + " invalid_credentials");
  CHECK(h.meta.account_checks() == 1);
  auto instagram = request;
  instagram.type = "instagram";
  instagram.phone_number_id.clear();
  instagram.instagram_account_id = "17841400000000001";
  try {
    h.app->bindings().connect(instagram);
    FAIL("connected with a refused token");
  } catch (const rpc::StatusError& e) {
    CHECK(e.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_THAT(std::string(e.what()), Catch::Contains("Graph API refused the access token") &&
                                          Catch::Contains("(#190)") && Catch::Contains("instagram_account_id"));
    CHECK(std::string(e.what()).find(kAccessToken) == std::string::npos);
  }
  h.meta.add_token(kAccessToken);
  h.meta.fail_account_checks(503);
  CHECK(details_code([&] { h.app->bindings().connect(request); }) ==
        std::to_string(static_cast<int>(grpc::StatusCode::UNAVAILABLE)) + " provider_unreachable");
  CHECK(h.count("SELECT count(*) FROM chat.channels") == 0);
  h.meta.fail_account_checks(0);
  CHECK(h.app->bindings().connect(request).record.kind == "whatsapp");
  CHECK(h.meta.account_checks() == 4);
}

TEST_CASE("channel credentials never appear in channel-connector's log") {
  ChannelHarness h([](BindingSettings& b) { b.public_base_url = "https://bots.example.com"; });
  h.subscription.max_channels = 5;
  const std::string telegram_token = h.telegram.add_bot(5558001, "quiet_bot");
  const std::string refused_access_token = "EAAGrefusedtokenABCDEFGH5678";
  testenv::StderrCapture capture;
  spdlog::set_level(spdlog::level::trace);
  // Refused and accepted connects, a webhook with a wrong secret and signature, a failing
  // getWebhookInfo, a disconnect.
  auto refused = whatsapp_request(h, "106540352242922");
  refused.access_token = refused_access_token;
  CHECK(code_of([&] { h.app->bindings().connect(refused); }) == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(code_of([&] {
          h.app->bindings().connect(ConnectRequest{h.tenant, h.bot.id(), "telegram", "webhook",
                                                   "123456:AAHbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"});
        }) == grpc::StatusCode::INVALID_ARGUMENT);
  h.meta.add_token(kAccessToken);
  auto whatsapp = h.app->bindings().connect(whatsapp_request(h, "106540352242922"));
  auto telegram = h.connect(telegram_token, "webhook");
  CHECK(code_of([&] { h.app->bindings().receive_telegram_update(telegram.record.id, "wrong", "{}"); }) ==
        grpc::StatusCode::PERMISSION_DENIED);
  CHECK(code_of([&] { h.app->bindings().receive_meta_webhook(whatsapp.record.id, "sha256=00", "{}"); }) ==
        grpc::StatusCode::UNAUTHENTICATED);
  h.telegram.fail_webhook_info = true;
  CHECK(h.app->bindings().list(h.tenant, h.bot.id()).size() == 2);
  h.app->bindings().disconnect(h.tenant, h.bot.id(), telegram.record.id);
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { l->flush(); });
  const std::string log = capture.finish();
  spdlog::set_level(spdlog::level::info);
  INFO(log);
  CHECK(log.find("connected: telegram @quiet_bot") != std::string::npos);  // the capture saw the log
  for (const std::string& secret : {telegram_token, std::string(kAccessToken), refused_access_token,
                                    std::string(kAppSecret), std::string(kVerifyToken),
                                    std::string("AAHbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")}) {
    CHECK(log.find(secret.substr(0, secret.size() - 4)) == std::string::npos);
  }
}
