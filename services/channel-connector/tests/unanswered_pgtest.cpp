// Unanswered questions against real PostgreSQL, Redis and gRPC (the bot pipeline writes the
// "I don't know" replies through the fake ai-proxy): grouping by normalized key, the window,
// dismissal and reappearance, tenant isolation, bounds, and the plan of the list query on a
// realistic table (it must use the indexes, not scan chat.messages).

#include <catch2/catch.hpp>

#include "botfactory/pg/pool.hpp"
#include "botfactory/rpc/client.hpp"
#include "chat/unanswered_questions.hpp"
#include "chat/unanswered_repository.hpp"
#include "fake_services.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
using botfactory::channel::UnansweredQuestions;
using botfactory::channel::UnansweredRepository;
using namespace botfactory::channel::testing_support;

namespace {

grpc::Status list(Harness& h, const std::string& tenant, const std::string& bot, int days,
                  int limit, chatv1::ListUnansweredQuestionsResponse* out) {
  grpc::ClientContext context;
  botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
  chatv1::ListUnansweredQuestionsRequest request;
  request.set_tenant_id(tenant);
  request.set_bot_id(bot);
  request.set_days(days);
  request.set_limit(limit);
  return h.client().ListUnansweredQuestions(&context, request, out);
}

grpc::Status dismiss(Harness& h, const std::string& tenant, const std::string& bot,
                     const std::string& key, chatv1::DismissUnansweredQuestionResponse* out) {
  grpc::ClientContext context;
  botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
  chatv1::DismissUnansweredQuestionRequest request;
  request.set_tenant_id(tenant);
  request.set_bot_id(bot);
  request.set_key(key);
  return h.client().DismissUnansweredQuestion(&context, request, out);
}

/// Posts a visitor question and waits for the bot's reply (answered as h.ai.answered says).
void ask(Harness& h, const std::string& conversation_id, const std::string& client_id,
         const std::string& text) {
  auto before = h.messages(conversation_id).size();
  chatv1::PostMessageResponse posted;
  REQUIRE(h.post(conversation_id, client_id, commonv1::SENDER_KIND_VISITOR, text, &posted).ok());
  REQUIRE(wait_until([&] { return h.messages(conversation_id).size() >= before + 2; }));
}

std::vector<std::string> keys(const chatv1::ListUnansweredQuestionsResponse& response) {
  std::vector<std::string> out;
  for (const auto& q : response.questions()) out.push_back(q.key());
  return out;
}

}  // namespace

TEST_CASE("unanswered: the question key folds case, spaces and trailing punctuation") {
  CHECK(UnansweredQuestions::key_of("What is  the boiling point of Tungsten?? ") ==
        "what is the boiling point of tungsten");
  CHECK(UnansweredQuestions::key_of("\tWHAT is the boiling\u00a0point of tungsten ?!") ==
        "what is the boiling point of tungsten");
  CHECK(UnansweredQuestions::key_of("ЧТО ТАКОЕ Вольфрам…") == "что такое вольфрам");
  CHECK(UnansweredQuestions::key_of("Volfram nima？") == "volfram nima");
  CHECK(UnansweredQuestions::key_of("e.g. 3.5?") == "e.g. 3.5");  // inner punctuation stays
  CHECK(UnansweredQuestions::key_of(" ?! ") == "");
}

TEST_CASE("unanswered: grouped by key, latest wording, newest first, answered ones left out") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto first = h.create_conversation(tenant, bot.id());
  auto second = h.create_conversation(tenant, bot.id());
  h.ai.answered = true;
  ask(h, first.id(), "q-0", "What are your opening hours?");
  h.ai.answered = false;
  ask(h, first.id(), "q-1", "What is the boiling point of tungsten?");
  ask(h, first.id(), "q-2", "Do you ship to Mars?");
  ask(h, second.id(), "q-3", "what is  the Boiling point of TUNGSTEN");

  chatv1::ListUnansweredQuestionsResponse response;
  REQUIRE(list(h, tenant, bot.id(), 0, 0, &response).ok());
  CHECK(response.days() == 30);
  CHECK_FALSE(response.truncated());
  REQUIRE(response.questions_size() == 2);
  const auto& tungsten = response.questions(0);  // asked last
  CHECK(tungsten.key() == "what is the boiling point of tungsten");
  CHECK(tungsten.text() == "what is  the Boiling point of TUNGSTEN");
  CHECK(tungsten.count() == 2);
  CHECK(tungsten.last_conversation_id() == second.id());
  CHECK(tungsten.first_asked_at().seconds() <= tungsten.last_asked_at().seconds());
  CHECK(tungsten.first_asked_at().nanos() + tungsten.first_asked_at().seconds() * 1000000000LL <
        tungsten.last_asked_at().nanos() + tungsten.last_asked_at().seconds() * 1000000000LL);
  CHECK(tungsten.language().empty());  // a web conversation: no channel language
  CHECK(response.questions(1).key() == "do you ship to mars");
  CHECK(response.questions(1).count() == 1);

  // limit keeps the newest groups.
  REQUIRE(list(h, tenant, bot.id(), 0, 1, &response).ok());
  CHECK(keys(response) == std::vector<std::string>{"what is the boiling point of tungsten"});

  // The window: the Mars question moved back 10 days leaves a 7-day window, stays in 30.
  {
    auto connection = h.pool().acquire();
    connection->exec("UPDATE chat.messages SET created_at = created_at - interval '10 days' "
                     "WHERE conversation_id = $1 AND seq >= (SELECT seq FROM chat.messages "
                     "WHERE conversation_id = $1 AND client_id = 'q-2')",
                     {first.id()});
  }
  REQUIRE(list(h, tenant, bot.id(), 7, 0, &response).ok());
  CHECK(response.days() == 7);
  CHECK(keys(response) == std::vector<std::string>{"what is the boiling point of tungsten"});
  CHECK(response.questions(0).count() == 2);
  REQUIRE(list(h, tenant, bot.id(), 30, 0, &response).ok());
  CHECK(response.questions_size() == 2);
}

TEST_CASE("unanswered: an /ai command's \"I don't know\" counts too, as its question") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto first = h.create_conversation(tenant, bot.id());
  auto second = h.create_conversation(tenant, bot.id());
  h.ai.answered = false;
  ask(h, first.id(), "q-1", "/ai What is the boiling point of tungsten?");
  ask(h, second.id(), "q-2", "What is the boiling point of tungsten");
  ask(h, second.id(), "q-3", "/AI   Do you ship to Mars?");
  // The /ai replies are the command path's (client_id bot-ai-<question id>), not bot-reply-.
  int ai_replies = 0;
  for (const auto& m : h.messages(first.id())) {
    if (m.sender().kind() == commonv1::SENDER_KIND_BOT) ai_replies += m.client_id().rfind("bot-ai-", 0) == 0;
  }
  REQUIRE(ai_replies == 1);

  chatv1::ListUnansweredQuestionsResponse response;
  REQUIRE(list(h, tenant, bot.id(), 0, 0, &response).ok());
  REQUIRE(response.questions_size() == 2);
  CHECK(response.questions(0).key() == "do you ship to mars");
  CHECK(response.questions(0).text() == "Do you ship to Mars?");  // without the command word
  CHECK(response.questions(0).count() == 1);
  CHECK(response.questions(1).key() == "what is the boiling point of tungsten");
  CHECK(response.questions(1).count() == 2);  // the /ai asking and the plain one, one group
  CHECK(response.questions(1).text() == "What is the boiling point of tungsten");
}

TEST_CASE("unanswered: a dismissed question is hidden until it is asked again") {
  Harness h;
  std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  h.ai.answered = false;
  ask(h, conversation.id(), "q-1", "What is the boiling point of tungsten?");
  ask(h, conversation.id(), "q-2", "What is the boiling point of tungsten");
  ask(h, conversation.id(), "q-3", "Do you ship to Mars?");

  chatv1::DismissUnansweredQuestionResponse dismissed;
  // Any wording of the question dismisses its key.
  REQUIRE(dismiss(h, tenant, bot.id(), "WHAT is the boiling point of tungsten?!", &dismissed).ok());
  CHECK(dismissed.key() == "what is the boiling point of tungsten");
  CHECK(dismissed.dismissed_at().seconds() > 0);
  chatv1::ListUnansweredQuestionsResponse response;
  REQUIRE(list(h, tenant, bot.id(), 0, 0, &response).ok());
  CHECK(keys(response) == std::vector<std::string>{"do you ship to mars"});
  // Idempotent.
  REQUIRE(dismiss(h, tenant, bot.id(), "what is the boiling point of tungsten", &dismissed).ok());
  CHECK(h.count("SELECT count(*) FROM chat.unanswered_dismissals WHERE bot_id = $1", {bot.id()}) == 1);

  // Asked again after the dismissal: shown again, counting only the new asking.
  ask(h, conversation.id(), "q-4", "what is the boiling point of tungsten ?");
  REQUIRE(list(h, tenant, bot.id(), 0, 0, &response).ok());
  REQUIRE(response.questions_size() == 2);
  CHECK(response.questions(0).key() == "what is the boiling point of tungsten");
  CHECK(response.questions(0).count() == 1);
  CHECK(response.questions(0).text() == "what is the boiling point of tungsten ?");
}

TEST_CASE("unanswered: tenant isolation") {
  Harness h;
  std::string tenant = random_uuid();
  std::string other = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto other_bot = h.registry.add_bot(other, "Other", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id());
  auto other_conversation = h.create_conversation(other, other_bot.id());
  h.ai.answered = false;
  ask(h, conversation.id(), "q-1", "Secret question of A?");
  ask(h, other_conversation.id(), "q-1", "Question of B?");

  chatv1::ListUnansweredQuestionsResponse response;
  // B asking for A's bot sees nothing of A.
  REQUIRE(list(h, other, bot.id(), 0, 0, &response).ok());
  CHECK(response.questions_size() == 0);
  REQUIRE(list(h, other, other_bot.id(), 0, 0, &response).ok());
  CHECK(keys(response) == std::vector<std::string>{"question of b"});
  // B's dismissal of A's key on A's bot id does not touch A's list.
  chatv1::DismissUnansweredQuestionResponse dismissed;
  REQUIRE(dismiss(h, other, bot.id(), "secret question of a", &dismissed).ok());
  REQUIRE(list(h, tenant, bot.id(), 0, 0, &response).ok());
  CHECK(keys(response) == std::vector<std::string>{"secret question of a"});
}

TEST_CASE("unanswered: bounds and bad input are INVALID_ARGUMENT") {
  Harness h;
  std::string tenant = random_uuid();
  std::string bot = random_uuid();
  chatv1::ListUnansweredQuestionsResponse response;
  CHECK(list(h, tenant, bot, 91, 0, &response).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(list(h, tenant, bot, -1, 0, &response).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(list(h, tenant, bot, 0, 201, &response).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(list(h, tenant, "not-a-uuid", 0, 0, &response).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(list(h, "", bot, 0, 0, &response).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(list(h, tenant, bot, 90, 200, &response).ok());
  chatv1::DismissUnansweredQuestionResponse dismissed;
  CHECK(dismiss(h, tenant, bot, " ?! ", &dismissed).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(dismiss(h, tenant, bot, std::string(4001, 'a'), &dismissed).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(dismiss(h, tenant, bot, std::string("a\x01" "b"), &dismissed).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(dismiss(h, tenant, bot, std::string(4000, 'a'), &dismissed).ok());
}

TEST_CASE("unanswered: the list query uses the indexes on a realistic table") {
  Harness h;
  auto connection = h.pool().acquire();
  // 40 tenants × 50 conversations × 20 messages (40 000 messages), every 10th bot reply of
  // them unanswered; the listed bot is one of them.
  auto [tenant, bot] = insert_plan_test_conversations(*connection);
  connection->exec(
      "INSERT INTO chat.messages (conversation_id, seq, sender_kind, text, client_id, created_at, "
      "answered) SELECT c.id, s, CASE WHEN s % 2 = 1 THEN 'visitor' ELSE 'bot' END, "
      "'question ' || s, 'm-' || s, c.updated_at - (20 - s) * interval '1 minute', "
      "CASE WHEN s % 2 = 0 THEN s % 10 <> 0 END "
      "FROM chat.conversations c, generate_series(1, 20) s");
  connection->exec("ANALYZE chat.messages");
  connection->exec("ANALYZE chat.conversations");
  std::string text =
      explain_plan(*connection, UnansweredRepository::recent_sql(), {tenant, bot, "30", "5001"});
  INFO(text);
  CHECK(text.find("Seq Scan on messages") == std::string::npos);
  CHECK(text.find("Seq Scan on conversations") == std::string::npos);
  CHECK(text.find("conversations_tenant_bot_activity") != std::string::npos);
  CHECK(text.find("messages_unanswered") != std::string::npos);
}
