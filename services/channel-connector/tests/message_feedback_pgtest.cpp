// Answer feedback against real PostgreSQL, Redis and gRPC (the bot pipeline writes the replies
// through the fake ai-proxy): rate, re-rate, clear; refusals of a visitor message, a greeting, an
// operator message, a missing seq and bad input; tenant isolation; the per-bot list with the
// question each reply answers, its filter, counts and days window, its plan; the analytics
// counts; the per-conversation write rate (FEEDBACK_WRITES_PER_MIN).

#include <catch2/catch.hpp>

#include <map>

#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/status.hpp"
#include "chat/message_feedback.hpp"
#include "channel_app.hpp"
#include "fake_services.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
using botfactory::channel::ChannelSettings;
using botfactory::channel::FeedbackInvalid;
using namespace botfactory::channel::testing_support;

namespace {

grpc::Status rate(Harness& h, const std::string& tenant, const std::string& conversation,
                  std::int64_t seq, chatv1::FeedbackRating rating, const std::string& comment,
                  chatv1::MessageFeedback* out = nullptr) {
  grpc::ClientContext context;
  botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
  chatv1::SetMessageFeedbackRequest request;
  request.set_tenant_id(tenant);
  request.set_conversation_id(conversation);
  request.set_seq(seq);
  request.set_rating(rating);
  request.set_comment(comment);
  chatv1::MessageFeedback ignored;
  return h.client().SetMessageFeedback(&context, request, out ? out : &ignored);
}

std::vector<chatv1::MessageFeedback> of_conversation(Harness& h, const std::string& tenant,
                                                     const std::string& conversation,
                                                     grpc::StatusCode expect = grpc::StatusCode::OK) {
  grpc::ClientContext context;
  botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
  chatv1::ListConversationFeedbackRequest request;
  request.set_tenant_id(tenant);
  request.set_conversation_id(conversation);
  chatv1::ListConversationFeedbackResponse response;
  auto status = h.client().ListConversationFeedback(&context, request, &response);
  REQUIRE(status.error_code() == expect);
  return {response.feedback().begin(), response.feedback().end()};
}

grpc::Status list(Harness& h, const std::string& tenant, const std::string& bot, int days,
                  chatv1::FeedbackRating rating, int limit, chatv1::ListBotFeedbackResponse* out) {
  grpc::ClientContext context;
  botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
  chatv1::ListBotFeedbackRequest request;
  request.set_tenant_id(tenant);
  request.set_bot_id(bot);
  request.set_days(days);
  request.set_rating(rating);
  request.set_limit(limit);
  return h.client().ListBotFeedback(&context, request, out);
}

/// Posts a visitor question, waits for the bot's reply and returns the reply's seq.
std::int64_t ask(Harness& h, const std::string& conversation_id, const std::string& client_id,
                 const std::string& text) {
  auto before = h.messages(conversation_id).size();
  chatv1::PostMessageResponse posted;
  REQUIRE(h.post(conversation_id, client_id, commonv1::SENDER_KIND_VISITOR, text, &posted).ok());
  REQUIRE(wait_until([&] { return h.messages(conversation_id).size() >= before + 2; }));
  auto messages = h.messages(conversation_id);
  for (const auto& m : messages) {
    if (m.seq() > posted.message().seq() && m.sender().kind() == commonv1::SENDER_KIND_BOT) return m.seq();
  }
  FAIL("no bot reply");
  return 0;
}

}  // namespace

TEST_CASE("feedback: rate, re-rate (last write wins), clear; only a bot's answer can be rated") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "Hello! Ask me anything.");
  auto conversation = h.create_conversation(tenant, bot.id());
  const auto& id = conversation.id();
  REQUIRE(h.messages(id).size() == 1);  // the greeting, seq 1
  h.ai.answered = true;
  auto reply = ask(h, id, "q-1", "What are your opening hours?");
  REQUIRE(reply == 3);

  chatv1::MessageFeedback stored;
  REQUIRE(rate(h, tenant, id, reply, chatv1::FEEDBACK_RATING_DOWN, "  Too vague  ", &stored).ok());
  CHECK(stored.seq() == reply);
  CHECK(stored.rating() == chatv1::FEEDBACK_RATING_DOWN);
  CHECK(stored.comment() == "Too vague");
  CHECK(stored.has_updated_at());
  auto rows = of_conversation(h, tenant, id);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].comment() == "Too vague");

  // Changing the rating replaces the row (one per message).
  REQUIRE(rate(h, tenant, id, reply, chatv1::FEEDBACK_RATING_UP, "", &stored).ok());
  CHECK(stored.rating() == chatv1::FEEDBACK_RATING_UP);
  CHECK(stored.comment().empty());
  CHECK(h.count("SELECT count(*) FROM chat.message_feedback WHERE conversation_id = $1", {id}) == 1);
  rows = of_conversation(h, tenant, id);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].rating() == chatv1::FEEDBACK_RATING_UP);

  // Clearing removes it; clearing again is fine.
  REQUIRE(rate(h, tenant, id, reply, chatv1::FEEDBACK_RATING_UNSPECIFIED, "ignored", &stored).ok());
  CHECK(stored.rating() == chatv1::FEEDBACK_RATING_UNSPECIFIED);
  CHECK_FALSE(stored.has_updated_at());
  CHECK(of_conversation(h, tenant, id).empty());
  REQUIRE(rate(h, tenant, id, reply, chatv1::FEEDBACK_RATING_UNSPECIFIED, "").ok());

  // An "I don't know" reply can be rated too.
  h.ai.answered = false;
  auto unknown = ask(h, id, "q-2", "Do you ship to Mars?");
  CHECK(rate(h, tenant, id, unknown, chatv1::FEEDBACK_RATING_DOWN, "").ok());

  // Not rateable: the greeting, the visitor's own message, an operator message.
  chatv1::PostMessageResponse op;
  REQUIRE(h.post(id, "op-1", commonv1::SENDER_KIND_OPERATOR, "A person here.", &op).ok());
  for (std::int64_t seq : {std::int64_t{1}, std::int64_t{2}, op.message().seq()}) {
    auto status = rate(h, tenant, id, seq, chatv1::FEEDBACK_RATING_UP, "");
    CHECK(status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(status.error_message().rfind("not_rateable: ", 0) == 0);
  }
  // A missing seq and an unknown conversation: NOT_FOUND.
  CHECK(rate(h, tenant, id, 999, chatv1::FEEDBACK_RATING_UP, "").error_code() ==
        grpc::StatusCode::NOT_FOUND);
  CHECK(rate(h, tenant, random_uuid(), 3, chatv1::FEEDBACK_RATING_UP, "").error_code() ==
        grpc::StatusCode::NOT_FOUND);
  // Bad input: seq, comment too long (500 code points is fine), control characters, a line
  // break, an unknown rating value, a malformed tenant.
  CHECK(rate(h, tenant, id, 0, chatv1::FEEDBACK_RATING_UP, "").error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  std::string five_hundred;
  for (int i = 0; i < 500; ++i) five_hundred += "ж";
  CHECK(rate(h, tenant, id, reply, chatv1::FEEDBACK_RATING_DOWN, five_hundred).ok());
  CHECK(rate(h, tenant, id, reply, chatv1::FEEDBACK_RATING_DOWN, five_hundred + "x").error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(rate(h, tenant, id, reply, chatv1::FEEDBACK_RATING_DOWN, "bad\x01").error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(rate(h, tenant, id, reply, chatv1::FEEDBACK_RATING_DOWN, "two\nlines").error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  // Invalid UTF-8 never crosses gRPC (proto3 strings); the service refuses it itself.
  CHECK_THROWS_AS(h.app().feedback().set(tenant, id, reply, "down", "\xff"), FeedbackInvalid);
  CHECK(rate(h, tenant, id, reply, static_cast<chatv1::FeedbackRating>(7), "").error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(rate(h, "not-a-uuid", id, reply, chatv1::FEEDBACK_RATING_UP, "").error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  rows = of_conversation(h, tenant, id);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].seq() == reply);
  CHECK(rows[0].comment() == five_hundred);  // the refused writes changed nothing
  CHECK(rows[1].seq() == unknown);
}

TEST_CASE("feedback: another tenant can neither rate nor read a conversation's ratings") {
  Harness h;
  std::string tenant = random_uuid();
  std::string other = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  h.ai.answered = true;
  auto reply = ask(h, conversation.id(), "q-1", "Opening hours?");
  REQUIRE(rate(h, tenant, conversation.id(), reply, chatv1::FEEDBACK_RATING_DOWN, "secret note").ok());

  CHECK(rate(h, other, conversation.id(), reply, chatv1::FEEDBACK_RATING_UP, "").error_code() ==
        grpc::StatusCode::NOT_FOUND);
  of_conversation(h, other, conversation.id(), grpc::StatusCode::NOT_FOUND);
  chatv1::ListBotFeedbackResponse response;
  REQUIRE(list(h, other, bot.id(), 0, chatv1::FEEDBACK_RATING_UNSPECIFIED, 0, &response).ok());
  CHECK(response.replies_size() == 0);
  CHECK(response.up() + response.down() == 0);
  // A's rating is untouched.
  auto rows = of_conversation(h, tenant, conversation.id());
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].rating() == chatv1::FEEDBACK_RATING_DOWN);
  CHECK(rows[0].comment() == "secret note");
}

TEST_CASE("feedback: the bot's list carries the question, filters, counts and the days window") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto other_bot = h.registry.add_bot(tenant, "Other", "en", "");
  auto first = h.create_conversation(tenant, bot.id());
  auto second = h.create_conversation(tenant, bot.id());
  auto elsewhere = h.create_conversation(tenant, other_bot.id());
  h.ai.answered = true;
  auto r1 = ask(h, first.id(), "q-1", "What are your opening hours?");
  auto r2 = ask(h, first.id(), "q-2", "Do you deliver on Sundays?");
  auto r3 = ask(h, second.id(), "q-3", "Где ваш магазин?");
  auto r4 = ask(h, elsewhere.id(), "q-4", "Another bot's question");
  REQUIRE(rate(h, tenant, first.id(), r1, chatv1::FEEDBACK_RATING_UP, "").ok());
  REQUIRE(rate(h, tenant, first.id(), r2, chatv1::FEEDBACK_RATING_DOWN, "Wrong day").ok());
  REQUIRE(rate(h, tenant, second.id(), r3, chatv1::FEEDBACK_RATING_DOWN, "").ok());
  REQUIRE(rate(h, tenant, elsewhere.id(), r4, chatv1::FEEDBACK_RATING_DOWN, "").ok());

  chatv1::ListBotFeedbackResponse response;
  REQUIRE(list(h, tenant, bot.id(), 0, chatv1::FEEDBACK_RATING_UNSPECIFIED, 0, &response).ok());
  CHECK(response.days() == 30);
  CHECK(response.up() == 1);
  CHECK(response.down() == 2);
  REQUIRE(response.replies_size() == 3);
  CHECK(response.replies(0).seq() == r3);  // newest rating first
  CHECK(response.replies(0).question() == "Где ваш магазин?");
  CHECK(response.replies(1).question() == "Do you deliver on Sundays?");
  CHECK(response.replies(1).comment() == "Wrong day");
  CHECK(response.replies(1).conversation_id() == first.id());
  CHECK_FALSE(response.replies(1).reply().empty());
  CHECK(response.replies(2).question() == "What are your opening hours?");
  CHECK(response.replies(2).rating() == chatv1::FEEDBACK_RATING_UP);

  // Filter and limit; the counts stay the window's.
  REQUIRE(list(h, tenant, bot.id(), 0, chatv1::FEEDBACK_RATING_DOWN, 1, &response).ok());
  REQUIRE(response.replies_size() == 1);
  CHECK(response.replies(0).seq() == r3);
  CHECK(response.down() == 2);
  REQUIRE(list(h, tenant, bot.id(), 0, chatv1::FEEDBACK_RATING_UP, 0, &response).ok());
  REQUIRE(response.replies_size() == 1);
  CHECK(response.replies(0).seq() == r1);

  // The window: a rating moved back 10 days is out of 7 days, in 30.
  {
    auto connection = h.pool().acquire();
    connection->exec("UPDATE chat.message_feedback SET updated_at = updated_at - interval '10 days' "
                     "WHERE conversation_id = $1 AND seq = $2",
                     {first.id(), std::to_string(r2)});
  }
  REQUIRE(list(h, tenant, bot.id(), 7, chatv1::FEEDBACK_RATING_UNSPECIFIED, 0, &response).ok());
  CHECK(response.days() == 7);
  CHECK(response.replies_size() == 2);
  CHECK(response.down() == 1);
  REQUIRE(list(h, tenant, bot.id(), 30, chatv1::FEEDBACK_RATING_UNSPECIFIED, 0, &response).ok());
  CHECK(response.replies_size() == 3);

  // Bounds.
  for (auto [days, limit] : {std::pair{91, 0}, std::pair{-1, 0}, std::pair{0, 201}, std::pair{0, -1}}) {
    CHECK(list(h, tenant, bot.id(), days, chatv1::FEEDBACK_RATING_UNSPECIFIED, limit, &response)
              .error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  }
  CHECK(list(h, tenant, "nope", 0, chatv1::FEEDBACK_RATING_UNSPECIFIED, 0, &response).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);

  // Analytics: today's counts of the bot (the moved rating is 10 days back).
  grpc::ClientContext context;
  botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
  chatv1::GetAnalyticsRequest request;
  request.set_tenant_id(tenant);
  request.set_bot_id(bot.id());
  request.set_days(30);
  chatv1::GetAnalyticsResponse analytics;
  REQUIRE(h.client().GetAnalytics(&context, request, &analytics).ok());
  REQUIRE(analytics.days_size() == 30);
  std::int64_t up = 0, down = 0;
  for (const auto& d : analytics.days()) {
    up += d.feedback_up();
    down += d.feedback_down();
  }
  CHECK(up == 1);
  CHECK(down == 2);
  CHECK(analytics.days(29).feedback_down() == 1);  // today: r3 (r2 is 10 days back)
}

TEST_CASE("feedback: a conversation over FEEDBACK_WRITES_PER_MIN is refused rate_limited and "
          "nothing is stored") {
  Harness h([](ChannelSettings& s) { s.feedback_writes_per_min = 2; });
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto limited = h.create_conversation(tenant, bot.id());
  auto other = h.create_conversation(tenant, bot.id());
  h.ai.answered = true;
  auto reply = ask(h, limited.id(), "q-1", "Opening hours?");
  auto other_reply = ask(h, other.id(), "q-1", "Where are you?");

  // Refused requests (not rateable, bad input, another tenant) spend nothing.
  CHECK(rate(h, tenant, limited.id(), reply - 1, chatv1::FEEDBACK_RATING_UP, "").error_code() ==
        grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(rate(h, tenant, limited.id(), reply, chatv1::FEEDBACK_RATING_UP, "a\x01").error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(rate(h, random_uuid(), limited.id(), reply, chatv1::FEEDBACK_RATING_UP, "").error_code() ==
        grpc::StatusCode::NOT_FOUND);

  REQUIRE(rate(h, tenant, limited.id(), reply, chatv1::FEEDBACK_RATING_UP, "first").ok());
  REQUIRE(rate(h, tenant, limited.id(), reply, chatv1::FEEDBACK_RATING_DOWN, "second").ok());
  auto refused = rate(h, tenant, limited.id(), reply, chatv1::FEEDBACK_RATING_UP, "third");
  CHECK(refused.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(botfactory::rpc::is_rate_limited(refused));
  CHECK(refused.error_message().find("retry in") != std::string::npos);
  // A clear is a write too.
  CHECK(rate(h, tenant, limited.id(), reply, chatv1::FEEDBACK_RATING_UNSPECIFIED, "").error_code() ==
        grpc::StatusCode::RESOURCE_EXHAUSTED);

  // The stored rating is still the second one.
  auto rows = of_conversation(h, tenant, limited.id());
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].rating() == chatv1::FEEDBACK_RATING_DOWN);
  CHECK(rows[0].comment() == "second");

  // Another conversation has its own budget.
  REQUIRE(rate(h, tenant, other.id(), other_reply, chatv1::FEEDBACK_RATING_UP, "").ok());
  REQUIRE(rate(h, tenant, other.id(), other_reply, chatv1::FEEDBACK_RATING_DOWN, "").ok());
  rows = of_conversation(h, tenant, other.id());
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].rating() == chatv1::FEEDBACK_RATING_DOWN);
  CHECK(h.metrics.render().find("chat_rate_limited_total{rate=\"feedback\"} 2\n") !=
        std::string::npos);
}

TEST_CASE("feedback: the question is the message the reply answers, not merely the one before it") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  const auto& id = conversation.id();
  h.ai.answered = true;

  // Two visitor messages in a row while the model is slow: both replies come after both.
  h.ai.hold(tenant);
  chatv1::PostMessageResponse first, second;
  REQUIRE(h.post(id, "q-1", commonv1::SENDER_KIND_VISITOR, "What are your opening hours?", &first).ok());
  REQUIRE(h.post(id, "q-2", commonv1::SENDER_KIND_VISITOR, "Thanks!", &second).ok());
  h.ai.release();
  auto reply_to = [&](const std::string& client_id) -> std::int64_t {
    for (const auto& m : h.messages(id)) {
      if (m.client_id() == client_id) return m.seq();
    }
    return 0;
  };
  REQUIRE(wait_until([&] {
    return reply_to("bot-reply-" + first.message().id()) != 0 &&
           reply_to("bot-reply-" + second.message().id()) != 0;
  }));
  auto reply_first = reply_to("bot-reply-" + first.message().id());
  auto reply_second = reply_to("bot-reply-" + second.message().id());
  REQUIRE(reply_first > second.message().seq());  // the visitor message before it is "Thanks!"

  // An operator's /ai command: its reply is linked by "bot-ai-<id>".
  chatv1::PostMessageResponse command;
  REQUIRE(h.post(id, "op-1", commonv1::SENDER_KIND_OPERATOR, "/ai Do you open on Sundays?", &command)
              .ok());
  REQUIRE(wait_until([&] { return reply_to("bot-ai-" + command.message().id()) != 0; }));
  auto reply_command = reply_to("bot-ai-" + command.message().id());

  // A bot reply without such a link (e.g. imported): the visitor message before it.
  chatv1::PostMessageResponse unlinked;
  REQUIRE(h.post(id, "import-1", commonv1::SENDER_KIND_BOT, "Imported answer", &unlinked).ok());
  {
    auto connection = h.pool().acquire();
    connection->exec("UPDATE chat.messages SET answered = true WHERE id = $1",
                     {unlinked.message().id()});
  }

  REQUIRE(rate(h, tenant, id, reply_first, chatv1::FEEDBACK_RATING_DOWN, "").ok());
  REQUIRE(rate(h, tenant, id, reply_second, chatv1::FEEDBACK_RATING_UP, "").ok());
  REQUIRE(rate(h, tenant, id, reply_command, chatv1::FEEDBACK_RATING_UP, "").ok());
  REQUIRE(rate(h, tenant, id, unlinked.message().seq(), chatv1::FEEDBACK_RATING_UP, "").ok());
  chatv1::ListBotFeedbackResponse response;
  REQUIRE(list(h, tenant, bot.id(), 0, chatv1::FEEDBACK_RATING_UNSPECIFIED, 0, &response).ok());
  std::map<std::int64_t, std::string> questions;
  for (const auto& r : response.replies()) questions[r.seq()] = r.question();
  REQUIRE(questions.size() == 4);
  CHECK(questions[reply_first] == "What are your opening hours?");
  CHECK(questions[reply_second] == "Thanks!");
  CHECK(questions[reply_command] == "/ai Do you open on Sundays?");
  CHECK(questions[unlinked.message().seq()] == "Thanks!");

  // A deleted question is not replaced by another message.
  {
    auto connection = h.pool().acquire();
    connection->exec("UPDATE chat.messages SET deleted_at = now() WHERE id = $1",
                     {first.message().id()});
  }
  REQUIRE(list(h, tenant, bot.id(), 0, chatv1::FEEDBACK_RATING_DOWN, 0, &response).ok());
  REQUIRE(response.replies_size() == 1);
  CHECK(response.replies(0).question().empty());
}

TEST_CASE("feedback: the per-bot list query uses the indexes on a realistic table") {
  Harness h;
  auto connection = h.pool().acquire();
  // 40 tenants × 50 conversations × 20 messages (40 000 messages): visitor questions and bot
  // replies linked by client_id, every 5th reply rated; the listed bot is one of them.
  auto [tenant, bot] = insert_plan_test_conversations(*connection);
  connection->exec(
      "INSERT INTO chat.messages (conversation_id, seq, sender_kind, text, client_id, created_at) "
      "SELECT c.id, s, 'visitor', 'question ' || s, 'm-' || s, "
      "c.updated_at - (20 - s) * interval '1 minute' "
      "FROM chat.conversations c, generate_series(1, 19, 2) s");
  connection->exec(
      "INSERT INTO chat.messages (conversation_id, seq, sender_kind, text, client_id, created_at, "
      "answered) SELECT q.conversation_id, q.seq + 1, 'bot', 'answer', 'bot-reply-' || q.id::text, "
      "q.created_at, true FROM chat.messages q JOIN chat.conversations c ON c.id = q.conversation_id "
      "WHERE q.client_id LIKE 'm-%'");
  connection->exec(
      "INSERT INTO chat.message_feedback (message_id, tenant_id, bot_id, conversation_id, seq, "
      "rating, updated_at) SELECT m.id, c.tenant_id, c.bot_id, c.id, m.seq, "
      "CASE WHEN m.seq % 4 = 0 THEN 'up' ELSE 'down' END, m.created_at "
      "FROM chat.messages m JOIN chat.conversations c ON c.id = m.conversation_id "
      "WHERE m.sender_kind = 'bot' AND m.seq % 10 = 0");
  connection->exec("ANALYZE chat.messages");
  connection->exec("ANALYZE chat.message_feedback");
  std::string text = explain_plan(*connection, botfactory::channel::MessageFeedbackRepository::recent_sql(),
                                  {tenant, bot, "30", "", "50"});
  INFO(text);
  CHECK(text.find("Seq Scan on messages") == std::string::npos);
  CHECK(text.find("Seq Scan on message_feedback") == std::string::npos);
  CHECK(text.find("message_feedback_bot_recent") != std::string::npos);
  CHECK(text.find("messages_pkey") != std::string::npos);
  // The previous-message fallback runs only for a reply without a link.
  CHECK(text.find("One-Time Filter") != std::string::npos);
}
