// Channel bindings end to end inside channel-connector, on real PostgreSQL and Redis with the fake
// Telegram Bot API (fake_telegram.hpp): connecting (getMe, sealed token, plan limit), webhook
// secret and inbox dedupe, long polling, the outbox's order, retries and refusals, the split of
// long messages, and a restart between receipt and reply.

#include "botfactory/http_client/http_client.hpp"
#include "channels/channel_deliveries.hpp"
#include "channel_harness.hpp"
#include "botfactory/rpc/client.hpp"
#include "pipeline/grpc_clients.hpp"
#include "pipeline/plan_limits_client.hpp"
#include "channels/telegram_client.hpp"
#include "channels/whatsapp_client.hpp"

using namespace botfactory;
using namespace botfactory::channel;
using namespace botfactory::channel::testing_support;


TEST_CASE("connect: getMe checks the token, it is sealed and masked, the plan limit holds") {
  ChannelHarness h;
  auto token = h.telegram.add_bot(5551001, "mozilla_help_bot");

  CHECK(code_of([&] { h.connect("not-a-token", "polling"); }) == grpc::StatusCode::INVALID_ARGUMENT);
  try {
    h.connect("999999:AAH" + std::string(32, 'q'), "polling");  // well formed, unknown to Telegram
    FAIL("an unknown token was accepted");
  } catch (const rpc::StatusError& e) {
    CHECK(e.code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_THAT(e.what(), Catch::Contains("Telegram refused the bot token"));
  }
  CHECK(code_of([&] { h.connect(token, "webhook"); }) == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(code_of([&] {
          h.app->bindings().connect(ConnectRequest{random_uuid(), h.bot.id(), "telegram", "polling", token});
        }) == grpc::StatusCode::NOT_FOUND);

  auto view = h.connect(token, "polling");
  CHECK(view.record.display_name == "@mozilla_help_bot");
  CHECK(view.record.mode == "polling");
  CHECK(view.record.state == "connected");
  CHECK(view.record.last_four == token.substr(token.size() - 4));
  CHECK(h.telegram.method_calls("getMe") >= 1);
  // Sealed at rest: the stored bytes do not contain the token.
  CHECK(h.count("SELECT count(*) FROM chat.channels WHERE position(convert_to($1, 'UTF8') IN "
                "credentials_ciphertext) > 0",
                {token}) == 0);
  CHECK(h.count("SELECT count(*) FROM chat.channels") == 1);

  // The trial plan allows one channel per bot; the same Telegram bot cannot be bound twice.
  auto other = h.telegram.add_bot(5551002, "second_bot");
  CHECK(code_of([&] { h.connect(other, "polling"); }) == grpc::StatusCode::RESOURCE_EXHAUSTED);
  h.subscription.max_channels = 5;
  CHECK(code_of([&] { h.connect(token, "polling"); }) == grpc::StatusCode::ALREADY_EXISTS);

  auto listed = h.app->bindings().list(h.tenant, h.bot.id());
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].record.id == view.record.id);
  CHECK(code_of([&] { h.app->bindings().list(random_uuid(), h.bot.id()); }) == grpc::StatusCode::NOT_FOUND);

  CHECK(code_of([&] { h.app->bindings().disconnect(random_uuid(), h.bot.id(), view.record.id); }) ==
        grpc::StatusCode::NOT_FOUND);
  h.app->bindings().disconnect(h.tenant, h.bot.id(), view.record.id);
  CHECK(h.app->bindings().list(h.tenant, h.bot.id()).empty());
}

TEST_CASE("webhook: a wrong secret is refused, one update delivered three times is one message, "
          "the reply reaches Telegram with its sources") {
  ChannelHarness h([](BindingSettings& b) { b.public_base_url = "https://bots.example.com/"; });
  auto token = h.telegram.add_bot(5552001, "relay_bot");
  h.ai.deltas = {"Relay hides your address [1]."};
  ai::v1::Source source;
  source.set_document_id(random_uuid());
  source.set_document_title("Firefox Relay FAQ");
  source.set_chunk_id("c1");
  h.ai.sources = {source};

  auto view = h.connect(token, "webhook");
  CHECK(view.webhook_url == "https://bots.example.com/webhooks/telegram/" + view.record.id);
  CHECK(h.telegram.webhook_url(token) == view.webhook_url);
  auto secret = h.telegram.webhook_secret(token);
  REQUIRE(secret.size() >= 32);

  std::string update = R"({"update_id":7001,)" +
                       FakeTelegram::text_update(4242, "Ada", "What does Relay do?").substr(1);
  CHECK(code_of([&] { h.app->bindings().receive_telegram_update(view.record.id, "wrong", update); }) ==
        grpc::StatusCode::PERMISSION_DENIED);
  CHECK(code_of([&] { h.app->bindings().receive_telegram_update(random_uuid(), secret, update); }) ==
        grpc::StatusCode::PERMISSION_DENIED);
  CHECK(code_of([&] { h.app->bindings().receive_telegram_update(view.record.id, secret, "[1,2]"); }) ==
        grpc::StatusCode::INVALID_ARGUMENT);

  CHECK_FALSE(h.app->bindings().receive_telegram_update(view.record.id, secret, update));
  CHECK(h.app->bindings().receive_telegram_update(view.record.id, secret, update));
  CHECK(h.app->bindings().receive_telegram_update(view.record.id, secret, update));

  REQUIRE(wait_until([&] { return !h.telegram.sent().empty(); }));
  auto sent = h.telegram.sent();
  CHECK(sent[0].chat_id == "4242");
  CHECK(sent[0].text == "Relay hides your address [1].\n\nSources:\n[1] Firefox Relay FAQ");
  CHECK(h.count("SELECT count(*) FROM chat.conversations WHERE channel = 'telegram'") == 1);
  CHECK(h.text("SELECT visitor_name FROM chat.conversations WHERE channel = 'telegram'") == "Ada");
  CHECK(h.text("SELECT visitor_id FROM chat.conversations WHERE channel = 'telegram'") == "telegram:4242");
  CHECK(h.count("SELECT count(*) FROM chat.messages WHERE sender_kind = 'visitor'") == 1);
  CHECK(h.count("SELECT count(*) FROM chat.messages WHERE sender_kind = 'bot'") == 1);
  CHECK(wait_until([&] { return h.telegram.chat_actions() >= 1; }));  // "typing…", best effort

  auto listed = h.app->bindings().list(h.tenant, h.bot.id());
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].record.last_inbound_at_us > 0);

  h.app->bindings().disconnect(h.tenant, h.bot.id(), view.record.id);
  CHECK(h.telegram.webhook_url(token).empty());  // deleteWebhook
  CHECK(h.count("SELECT count(*) FROM chat.conversations WHERE channel = 'telegram'") == 1);
}

TEST_CASE("polling: getUpdates brings the message in, replies and operator messages go out in order") {
  ChannelHarness h;
  auto token = h.telegram.add_bot(5553001, "poll_bot");
  h.telegram.refuse_chat_action = true;  // an error answer to sendChatAction never blocks a reply
  auto view = h.connect(token, "polling");
  h.telegram.queue_update(token, FakeTelegram::text_update(77, "Bob", "hello there"));
  REQUIRE(wait_until([&] { return h.telegram.sent().size() >= 1; }));
  CHECK(h.texts_sent()[0] == "Hello, world");
  auto conversation = h.text("SELECT id FROM chat.conversations WHERE channel_id = $1", {view.record.id});
  REQUIRE_FALSE(conversation.empty());
  CHECK(h.count("SELECT poll_offset FROM chat.channels WHERE id = $1", {view.record.id}) > 1000);

  for (int i = 1; i <= 5; ++i) h.operator_says(conversation, "op-" + std::to_string(i), "operator " + std::to_string(i));
  REQUIRE(wait_until([&] { return h.telegram.sent().size() >= 6; }));
  auto texts = h.texts_sent();
  for (int i = 1; i <= 5; ++i) CHECK(texts[static_cast<std::size_t>(i)] == "operator " + std::to_string(i));
}

TEST_CASE("a Russian bot's reply lists its sources under a Russian heading, stored on the outbox row") {
  ChannelHarness h;
  h.bot = h.registry.add_bot(h.tenant, "Помощник", "ru", "");
  auto token = h.telegram.add_bot(5553101, "ru_bot");
  h.ai.deltas = {"Relay скрывает ваш адрес [1]."};
  ai::v1::Source source;
  source.set_document_id(random_uuid());
  source.set_document_title("Firefox Relay FAQ");
  source.set_chunk_id("c1");
  h.ai.sources = {source};
  auto view = h.connect(token, "polling");
  h.telegram.queue_update(token, FakeTelegram::text_update(78, "Иван", "Что делает Relay?"));
  REQUIRE(wait_until([&] { return h.telegram.sent().size() >= 1; }));
  CHECK(h.texts_sent()[0] == "Relay скрывает ваш адрес [1].\n\nИсточники:\n[1] Firefox Relay FAQ");
  CHECK(h.text("SELECT language FROM chat.channel_outbox WHERE channel_id = $1", {view.record.id}) == "ru");
  // An operator's row carries no language (it has no sources list).
  auto conversation = h.text("SELECT id FROM chat.conversations WHERE channel_id = $1", {view.record.id});
  h.operator_says(conversation, "op-ru-1", "Здравствуйте");
  REQUIRE(wait_until([&] { return h.telegram.sent().size() >= 2; }));
  CHECK(h.count("SELECT count(*) FROM chat.channel_outbox WHERE channel_id = $1 AND language = ''",
                {view.record.id}) == 1);
}

TEST_CASE("typing: repeated while a slow reply is generated, bounded, ended by the stored reply") {
  // Shorter than Telegram's 4 s so the test stays quick; the rule is the same.
  ChannelHarness h([](BindingSettings& b) {
    b.outbox.typing_interval = std::chrono::milliseconds(100);
    b.outbox.typing_repeats = 40;
  });
  auto token = h.telegram.add_bot(5553201, "slow_bot");
  h.ai.hold(h.tenant);  // the model is slow: the reply is owed until release()
  h.connect(token, "polling");
  h.telegram.queue_update(token, FakeTelegram::text_update(79, "Eve", "a slow question"));
  // The first "typing…" and then repeats while the model still works.
  REQUIRE(wait_until([&] { return h.telegram.chat_actions() >= 4; }));
  CHECK(h.telegram.sent().empty());
  h.ai.release();
  REQUIRE(wait_until([&] { return h.telegram.sent().size() >= 1; }));
  CHECK(h.texts_sent()[0] == "Hello, world");
  // Once the reply is stored no more repeats: the count settles (at most one call in flight).
  int after_reply = h.telegram.chat_actions();
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  CHECK(h.telegram.chat_actions() <= after_reply + 1);
  CHECK(h.telegram.chat_actions() <= 1 + 40);
}

TEST_CASE("typing: the repeats stop after typing_repeats even when no reply comes") {
  ChannelHarness h([](BindingSettings& b) {
    b.outbox.typing_interval = std::chrono::milliseconds(50);
    b.outbox.typing_repeats = 3;
  });
  auto token = h.telegram.add_bot(5553202, "stuck_bot");
  h.ai.hold(h.tenant);
  h.connect(token, "polling");
  h.telegram.queue_update(token, FakeTelegram::text_update(80, "Max", "no answer yet"));
  REQUIRE(wait_until([&] { return h.telegram.chat_actions() >= 4; }));  // the first + 3 repeats
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  CHECK(h.telegram.chat_actions() == 4);
  h.ai.release();
}

TEST_CASE("outbox: 429 waits retry_after, 5xx is retried, 400 never, 403 marks the chat inactive, "
          "long text is split") {
  ChannelHarness h;
  auto token = h.telegram.add_bot(5554001, "outbox_bot");
  auto view = h.connect(token, "polling");
  ChannelRepository repository(*h.pool);
  auto record = repository.get(view.record.id);
  REQUIRE(record);
  auto conversation = repository.conversation_for_chat(*record, "9001", "telegram:9001", "Eve");

  h.telegram.fail_next(429, "Too Many Requests: retry after 1", 1);
  h.operator_says(conversation, "a", "first");
  REQUIRE(wait_until([&] { return h.texts_sent().size() == 1; }));
  CHECK(h.texts_sent()[0] == "first");
  CHECK(h.telegram.send_attempts() == 2);

  h.telegram.fail_next(502, "Bad Gateway");
  h.operator_says(conversation, "b", "second");
  REQUIRE(wait_until([&] { return h.texts_sent().size() == 2; }));
  CHECK(h.telegram.send_attempts() == 4);

  h.telegram.fail_next(400, "Bad Request: chat not found");
  h.operator_says(conversation, "c", "third");
  h.operator_says(conversation, "d", "fourth");  // waits behind "third" until that is settled
  REQUIRE(wait_until([&] { return h.texts_sent().size() == 3; }));
  CHECK(h.texts_sent()[2] == "fourth");
  CHECK(h.telegram.send_attempts() == 6);  // "third" once, never again
  CHECK(h.count("SELECT count(*) FROM chat.channel_outbox WHERE state = 'failed'") == 1);
  auto health = h.app->bindings().list(h.tenant, h.bot.id());
  REQUIRE(health.size() == 1);
  CHECK(health[0].record.failed_outbound == 1);

  // 3600 code points, 5200 UTF-16 units: two parts at a sentence end, in order.
  std::string longer;
  for (int i = 0; i < 400; ++i) longer += "\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80 ok. ";
  h.operator_says(conversation, "e", longer);
  REQUIRE(wait_until([&] { return h.texts_sent().size() == 5; }));
  auto texts = h.texts_sent();
  CHECK(utf16_units(texts[3]) <= kTelegramMaxTextUnits);
  CHECK(utf16_units(texts[4]) <= kTelegramMaxTextUnits);
  CHECK(texts[3].substr(texts[3].size() - 3) == "ok.");
  CHECK(texts[3] + " " + texts[4] + " " == longer);

  h.telegram.fail_next(403, "Forbidden: bot was blocked by the user");
  h.operator_says(conversation, "f", "blocked?");
  REQUIRE(wait_until([&] {
    return h.count("SELECT count(*) FROM chat.conversations WHERE id = $1 AND chat_inactive", {conversation}) == 1;
  }));
  int attempts = h.telegram.send_attempts();
  h.operator_says(conversation, "g", "nobody reads this");
  REQUIRE(wait_until([&] { return h.count("SELECT count(*) FROM chat.channel_outbox WHERE state = 'failed'") == 3; }));
  CHECK(h.telegram.send_attempts() == attempts);
  CHECK_THAT(h.app->bindings().list(h.tenant, h.bot.id())[0].record.last_delivery_error,
             Catch::Contains("403"));
}

TEST_CASE("a restart between receipt and reply: every stored update is answered, once") {
  ChannelHarness h([](BindingSettings& b) {
    b.public_base_url = "https://bots.example.com";
    b.inbox.recovery_after = std::chrono::milliseconds(1000);
  });
  auto token = h.telegram.add_bot(5555001, "restart_bot");
  auto view = h.connect(token, "webhook");
  h.stop();  // "killed": nothing runs now

  ChannelRepository repository(*h.pool);
  // (1) Received and acknowledged, never processed.
  std::string first = R"({"update_id":9101,)" + FakeTelegram::text_update(31, "Kim", "first question").substr(1);
  REQUIRE(repository.store_inbound(view.record.id, "9101", first, "31"));
  // (2) Processed up to the committed visitor message; the reply was lost with the process.
  std::string second = R"({"update_id":9102,)" + FakeTelegram::text_update(32, "Lee", "second question").substr(1);
  REQUIRE(repository.store_inbound(view.record.id, "9102", second, "32"));
  auto record = repository.get(view.record.id);
  REQUIRE(record);
  auto conversation = repository.conversation_for_chat(*record, "32", "telegram:32", "Lee");
  ChatStore store(*h.pool);
  NewMessage visitor{conversation, "tg-9102", common::v1::SENDER_KIND_VISITOR, "telegram:32", "Lee",
                     "second question", {}, ""};
  auto appended = store.append(visitor);
  REQUIRE(appended);
  {
    auto connection = h.pool->acquire();
    connection->exec("UPDATE chat.channel_inbox SET state = 'posted', message_id = $1, "
                     "updated_at = now() - interval '1 hour' WHERE external_id = '9102'",
                     {appended->message.id()});
  }

  h.start();
  REQUIRE(wait_until([&] { return h.telegram.sent().size() >= 2; }));
  REQUIRE(wait_until([&] {
    return h.count("SELECT count(*) FROM chat.channel_inbox WHERE state = 'done'") == 2;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // a second recovery pass
  auto sent = h.telegram.sent();
  CHECK(sent.size() == 2);
  std::set<std::string> chats;
  for (const auto& s : sent) chats.insert(s.chat_id);
  CHECK(chats == std::set<std::string>{"31", "32"});
  CHECK(h.count("SELECT count(*) FROM chat.messages WHERE sender_kind = 'visitor'") == 2);
  CHECK(h.count("SELECT count(*) FROM chat.channel_outbox WHERE state = 'sent'") == 2);
}

TEST_CASE("inbox: updates of many chats are posted in parallel, each chat's in the order received") {
  ChannelHarness h([](BindingSettings& b) {
    b.public_base_url = "https://bots.example.com/";
    b.inbox.threads = 4;
    b.inbox.batch = 7;  // several passes, chats split across them
  });
  auto token = h.telegram.add_bot(5558001, "order_bot");
  auto view = h.connect(token, "webhook");
  auto secret = h.telegram.webhook_secret(token);
  // 4 chats × 6 updates, interleaved as they would arrive.
  int update_id = 9000;
  for (int i = 0; i < 6; ++i) {
    for (int chat = 0; chat < 4; ++chat) {
      auto update = R"({"update_id":)" + std::to_string(++update_id) + "," +
                    FakeTelegram::text_update(7700 + chat, "C" + std::to_string(chat),
                                              "q" + std::to_string(i))
                        .substr(1);
      REQUIRE_FALSE(h.app->bindings().receive_telegram_update(view.record.id, secret, update));
    }
  }
  REQUIRE(wait_until([&] {
    return h.count("SELECT count(*) FROM chat.messages WHERE sender_kind = 'visitor'") == 24;
  }));
  CHECK(h.count("SELECT count(*) FROM chat.conversations WHERE channel = 'telegram'") == 4);
  for (int chat = 0; chat < 4; ++chat) {
    CAPTURE(chat);
    CHECK(h.text("SELECT string_agg(m.text, ',' ORDER BY m.seq) FROM chat.messages m JOIN "
                 "chat.conversations c ON c.id = m.conversation_id WHERE c.external_chat_id = $1 "
                 "AND m.sender_kind = 'visitor'",
                 {std::to_string(7700 + chat)}) == "q0,q1,q2,q3,q4,q5");
  }
  // The row is marked after its message is stored (and a posted row stays until its reply):
  // wait for the last marks rather than read them once.
  CHECK(wait_until([&] {
    return h.count("SELECT count(*) FROM chat.channel_inbox WHERE state = 'pending'") == 0;
  }));
}

TEST_CASE("inbox back-pressure: a burst over the tenant's pipeline queue waits in the inbox, none dropped") {
  ChannelHarness h([](BindingSettings& b) { b.public_base_url = "https://bots.example.com/"; });
  h.stop();
  h.settings.pipeline_threads = 1;
  h.settings.pipeline_tenant_queue_capacity = 5;  // the inbox's 4 threads leave room for 1
  h.settings.visitor_messages_per_min = 0;
  h.settings.bot_replies_per_min = 0;
  h.start();
  h.ai.hold(h.tenant);  // the first reply blocks: nothing leaves the pipeline queue
  auto token = h.telegram.add_bot(5557001, "burst_bot");
  auto view = h.connect(token, "webhook");
  auto secret = h.telegram.webhook_secret(token);
  for (int i = 0; i < 30; ++i) {
    auto update = R"({"update_id":)" + std::to_string(9500 + i) + "," +
                  FakeTelegram::text_update(8800 + i % 3, "B", "b" + std::to_string(i)).substr(1);
    REQUIRE_FALSE(h.app->bindings().receive_telegram_update(view.record.id, secret, update));
  }
  REQUIRE(wait_until([&] { return h.ai.calls_of(h.tenant) == 1; }));
  REQUIRE(wait_until([&] {
    return h.count("SELECT count(*) FROM chat.messages WHERE sender_kind = 'visitor'") >= 2;
  }));
  // Held: at most 1 running + 5 queued + 4 in flight were posted; the rest waits, stored.
  CHECK(h.count("SELECT count(*) FROM chat.messages WHERE sender_kind = 'visitor'") <= 10);
  CHECK(h.count("SELECT count(*) FROM chat.channel_inbox WHERE state = 'pending'") >= 20);
  // The held rows were given back (chanperf: together at the end of their pass), not left leased.
  CHECK(wait_until([&] {
    return h.count("SELECT count(*) FROM chat.channel_inbox WHERE state = 'pending' AND lease_until IS NOT NULL") == 0;
  }));
  auto& dropped = h.metrics.counter("chat_pipeline_dropped_total", "", R"(reason="tenant_queue_full")");
  CHECK(dropped.value() == 0);
  h.ai.release();
  // Every update answered without the 60 s recovery, in order per chat.
  REQUIRE(wait_until([&] { return h.telegram.sent().size() == 30; }, std::chrono::seconds(30)));
  CHECK(dropped.value() == 0);
  for (int chat = 0; chat < 3; ++chat) {
    std::string expected;
    for (int i = chat; i < 30; i += 3) expected += (expected.empty() ? "b" : ",b") + std::to_string(i);
    CHECK(h.text("SELECT string_agg(m.text, ',' ORDER BY m.seq) FROM chat.messages m JOIN "
                 "chat.conversations c ON c.id = m.conversation_id WHERE c.external_chat_id = $1 "
                 "AND m.sender_kind = 'visitor'",
                 {std::to_string(8800 + chat)}) == expected);
  }
}

TEST_CASE("replay: failed messages go out again once, in order, only for the channel's tenant") {
  ChannelHarness h;
  auto token = h.telegram.add_bot(5556001, "replay_bot");
  auto view = h.connect(token, "polling");
  ChannelRepository repository(*h.pool);
  auto record = repository.get(view.record.id);
  REQUIRE(record);
  auto conversation = repository.conversation_for_chat(*record, "9100", "telegram:9100", "Ann");
  auto& deliveries = h.app->deliveries();

  // Two messages refused with 400 (final, never retried), then one that goes out.
  std::string long_text;
  for (int i = 0; i < 30; ++i) long_text += "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 ";  // "Привет "
  h.telegram.fail_next(400, "Bad Request: chat not found");
  h.telegram.fail_next(400, "Bad Request: chat not found");
  h.operator_says(conversation, "r1", long_text);
  h.operator_says(conversation, "r2", "second");
  REQUIRE(wait_until([&] { return h.count("SELECT count(*) FROM chat.channel_outbox WHERE state = 'failed'") == 2; }));
  h.operator_says(conversation, "r3", "third");
  REQUIRE(wait_until([&] { return h.texts_sent().size() == 1; }));
  CHECK(h.telegram.send_attempts() == 3);

  auto failed = deliveries.list_failed(h.tenant, h.bot.id(), view.record.id, 0);
  REQUIRE(failed.size() == 2);
  CHECK(failed[0].text_preview == "second");  // newest first
  CHECK(failed[0].chat_id == "9100");
  CHECK(failed[0].attempts == 1);
  CHECK(failed[0].status == "failed");
  CHECK_THAT(failed[0].last_error, Catch::Contains("400"));
  CHECK(failed[0].failed_at_us > 0);
  // The preview is 80 characters (code points, not bytes), the last one "…".
  std::size_t characters = 0;
  for (unsigned char c : failed[1].text_preview) characters += (c & 0xC0) != 0x80;
  CHECK(characters == 80);
  CHECK_THAT(failed[1].text_preview, Catch::EndsWith("\xE2\x80\xA6"));
  CHECK(h.app->bindings().list(h.tenant, h.bot.id())[0].record.failed_deliveries == 2);

  // Another tenant, or another bot of the tenant, finds no such channel.
  auto other = random_uuid();
  CHECK(code_of([&] { deliveries.list_failed(other, h.bot.id(), view.record.id, 0); }) == grpc::StatusCode::NOT_FOUND);
  CHECK(code_of([&] { deliveries.replay(other, h.bot.id(), view.record.id, {}); }) == grpc::StatusCode::NOT_FOUND);
  CHECK(code_of([&] { deliveries.replay(h.tenant, random_uuid(), view.record.id, {}); }) ==
        grpc::StatusCode::NOT_FOUND);
  CHECK(code_of([&] { deliveries.list_failed(h.tenant, h.bot.id(), view.record.id, 201); }) ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(h.count("SELECT count(*) FROM chat.channel_outbox WHERE state = 'failed'") == 2);

  // Replay all: both go out, oldest first, once; a second replay finds nothing.
  CHECK(deliveries.replay(h.tenant, h.bot.id(), view.record.id, {}) == 2);
  CHECK(deliveries.replay(h.tenant, h.bot.id(), view.record.id, {}) == 0);
  REQUIRE(wait_until([&] { return h.texts_sent().size() == 3; }));
  h.operator_says(conversation, "r4", "fourth");
  REQUIRE(wait_until([&] { return h.texts_sent().size() >= 4; }));
  auto texts = h.texts_sent();
  REQUIRE(texts.size() == 4);
  CHECK(texts[0] == "third");
  CHECK(texts[1] == long_text.substr(0, long_text.size() - 1));
  CHECK(texts[2] == "second");
  CHECK(texts[3] == "fourth");
  CHECK(h.telegram.send_attempts() == 6);
  CHECK(deliveries.list_failed(h.tenant, h.bot.id(), view.record.id, 0).empty());
  CHECK(h.count("SELECT replays FROM chat.channel_outbox WHERE message_id IN "
                "(SELECT id FROM chat.messages WHERE client_id = 'r2')") == 1);

  // Replay by id: only the named row of this channel.
  h.telegram.fail_next(400, "Bad Request: chat not found");
  h.operator_says(conversation, "r5", "fifth");
  REQUIRE(wait_until([&] { return deliveries.list_failed(h.tenant, h.bot.id(), view.record.id, 0).size() == 1; }));
  auto id = deliveries.list_failed(h.tenant, h.bot.id(), view.record.id, 0)[0].id;
  CHECK(deliveries.replay(h.tenant, h.bot.id(), view.record.id, {id + 1000}) == 0);
  CHECK(code_of([&] { deliveries.replay(h.tenant, h.bot.id(), view.record.id, {-1}); }) ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(deliveries.replay(h.tenant, h.bot.id(), view.record.id, {id}) == 1);
  REQUIRE(wait_until([&] { return h.texts_sent().size() == 5; }));
  CHECK(h.texts_sent()[4] == "fifth");
}

TEST_CASE("health: getWebhookInfo fields, cached for a minute, a failing check never fails the list, "
          "error and inactive states") {
  ChannelHarness h([](BindingSettings& b) { b.public_base_url = "https://bots.example.com"; });
  h.subscription.max_channels = 5;
  auto first = h.telegram.add_bot(5557001, "health_bot");
  auto view = h.connect(first, "webhook");
  h.telegram.set_webhook_health(7, "Wrong response from the webhook: 502 Bad Gateway", 1700000000);
  auto listed = h.app->bindings().list(h.tenant, h.bot.id());
  REQUIRE(listed.size() == 1);
  REQUIRE(listed[0].webhook_info);
  CHECK(listed[0].webhook_info->pending_update_count == 7);
  CHECK(listed[0].webhook_info->last_error_message == "Wrong response from the webhook: 502 Bad Gateway");
  CHECK(listed[0].webhook_info->last_error_date == 1700000000);
  CHECK(listed[0].webhook_info->url == view.webhook_url);
  CHECK(listed[0].webhook_check_error.empty());
  CHECK(listed[0].health_state == "connected");
  CHECK(h.telegram.method_calls("getWebhookInfo") == 1);
  for (int i = 0; i < 3; ++i) h.app->bindings().list(h.tenant, h.bot.id());
  CHECK(h.telegram.method_calls("getWebhookInfo") == 1);  // cached

  // A second bot whose getWebhookInfo fails: the list still answers, with the reason.
  auto second = h.telegram.add_bot(5557002, "health_two_bot");
  auto view2 = h.connect(second, "webhook");
  h.telegram.fail_webhook_info = true;
  listed = h.app->bindings().list(h.tenant, h.bot.id());
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].webhook_info);  // from the cache
  CHECK_FALSE(listed[1].webhook_info);
  CHECK_THAT(listed[1].webhook_check_error, Catch::Contains("getWebhookInfo") && Catch::Contains("500"));
  CHECK(listed[1].health_state == "connected");
  h.telegram.fail_webhook_info = false;

  // A third whose webhook Telegram no longer has (deleted elsewhere): inactive.
  auto third = h.telegram.add_bot(5557003, "health_three_bot");
  h.connect(third, "webhook");
  http::Client http;
  telegram::BotApiClient api(http, h.telegram.base_url());
  REQUIRE(api.call(third, "deleteWebhook", "{}").kind == telegram::CallResult::Kind::kOk);
  ChannelRepository repository(*h.pool);
  repository.set_state(view2.record.id, "error", "Telegram refused the token (401)");
  listed = h.app->bindings().list(h.tenant, h.bot.id());
  REQUIRE(listed.size() == 3);
  CHECK(listed[1].health_state == "error");
  CHECK(listed[2].health_state == "inactive");
  CHECK(listed[2].webhook_info->url.empty());

  // A polling channel nobody has polled for over a minute: inactive.
  auto fourth = h.telegram.add_bot(5557004, "health_four_bot");
  auto polled = h.connect(fourth, "polling");
  // Without ChannelApp no poller renews (or takes) the lease: stop it first, then age the
  // channel, and a ChannelBindings of its own reads the state.
  h.stop();
  h.count("WITH u AS (UPDATE chat.channels SET created_at = now() - interval '10 minutes', "
          "poll_lease_until = now() - interval '5 minutes', poll_owner = 'gone' WHERE id = $1 RETURNING 1) "
          "SELECT count(*) FROM u",
          {polled.record.id});
  auto fakes = rpc::make_channel("127.0.0.1:" + std::to_string(h.fakes->port()));
  RegistryBotDirectory bots(fakes, std::chrono::milliseconds(5000));
  SubscriptionChannelAllowance allowance(fakes, std::chrono::milliseconds(5000));
  whatsapp::GraphClient graph(http, h.meta.base_url(), "v21.0");
  ChannelBindings bindings(repository, h.box, api, graph, bots, allowance, "https://bots.example.com");
  listed = bindings.list(h.tenant, h.bot.id());
  REQUIRE(listed.size() == 4);
  for (const auto& channel : listed) {
    if (channel.record.id == polled.record.id) CHECK(channel.health_state == "inactive");
    if (channel.record.id == view.record.id) CHECK(channel.health_state == "connected");
  }
}

TEST_CASE("a successful send clears only the delivery error its sender saw, not a newer one") {
  ChannelHarness h;
  auto token = h.telegram.add_bot(5551301, "errors_bot");
  auto view = h.connect(token, "polling");
  ChannelRepository repository(*h.pool);
  repository.set_delivery_error(view.record.id, "Telegram said 400: Bad Request");
  auto seen = repository.get_core(view.record.id);
  REQUIRE(seen);
  REQUIRE(seen->last_delivery_error_at_us > 0);
  // Another worker records a newer error (the chat's next row: window closed) before the first
  // worker's send succeeds and clears "its" error.
  repository.set_delivery_error(view.record.id, "window closed");
  repository.clear_delivery_error(view.record.id, seen->last_delivery_error_at_us);
  CHECK(repository.get_core(view.record.id)->last_delivery_error == "window closed");
  // The error it saw is cleared.
  auto now_seen = repository.get_core(view.record.id);
  repository.clear_delivery_error(view.record.id, now_seen->last_delivery_error_at_us);
  CHECK(repository.get_core(view.record.id)->last_delivery_error.empty());
}
