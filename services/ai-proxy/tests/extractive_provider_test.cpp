// Unit tests of ExtractiveProvider with a fake KnowledgeSearch.

#include <catch2/catch.hpp>

#include "botfactory/common/text.hpp"
#include "botfactory/rpc/status.hpp"
#include "extractive_provider.hpp"
#include "fake_knowledge.hpp"

using namespace botfactory;

namespace {

const std::string kTenant = "11111111-1111-4111-8111-111111111111";
const std::string kBot = "22222222-2222-4222-8222-222222222222";

struct Run {
  std::vector<std::string> deltas;
  ai::FinalReply reply;
  std::string joined() const {
    std::string out;
    for (const auto& d : deltas) out += d;
    return out;
  }
};

Run generate(ai::ExtractiveProvider& provider, const std::string& question, const std::string& language = "en") {
  ai::GenerateInput input;
  input.tenant_id = kTenant;
  input.bot_id = kBot;
  input.language = language;
  input.user_text = question;
  Run run;
  provider.generate(
      input,
      [&](std::string_view delta) {
        run.deltas.emplace_back(delta);
        return true;
      },
      run.reply);
  return run;
}

const ai::KnowledgeHit kAttachments{
    "c1", "d1", "Will Firefox Relay forward emails with attachments?",
    "Will Firefox Relay forward emails with attachments?\n\nWe now support attachment forwarding. "
    "However, there is a 10 MB limit for email forwarding using Relay. Any emails larger than 10 MB "
    "will not be forwarded.",
    6.4};
const ai::KnowledgeHit kSpam{"c2", "d2", "What about spam?",
                             "While Relay does not filter for spam, our email partner Amazon SES does "
                             "block spam and malware.",
                             3.0};

}  // namespace

TEST_CASE("quotes the sentences sharing words with the question, in order, and names the source") {
  auto search = std::make_shared<ai::test::FakeKnowledgeSearch>();
  search->hits = {kAttachments, kSpam};
  ai::ExtractiveProvider provider(search);
  auto run = generate(provider, "Is there a size limit for email attachments?");
  CHECK(search->last_limit == 5);
  CHECK(search->last_query == "Is there a size limit for email attachments?");
  CHECK(run.reply.answered);
  CHECK(run.reply.provider == "extractive");
  // The FAQ heading (a question) is not quoted; the matching statements keep their order.
  CHECK(run.reply.text ==
        "We now support attachment forwarding. However, there is a 10 MB limit for email forwarding "
        "using Relay. Any emails larger than 10 MB will not be forwarded.\n\n"
        "Source: “Will Firefox Relay forward emails with attachments?”");
  REQUIRE(run.reply.sources.size() == 1);
  CHECK(run.reply.sources[0].chunk_id == "c1");
  CHECK(run.reply.sources[0].document_title == "Will Firefox Relay forward emails with attachments?");
  CHECK(run.reply.sources[0].score == Approx(6.4));
  CHECK(run.deltas.size() > 3);
  CHECK(run.joined() == run.reply.text);

  // words_per_delta 0: the whole reply in one delta.
  ai::ExtractiveSettings whole;
  whole.words_per_delta = 0;
  ai::ExtractiveProvider at_once(search, whole);
  auto one = generate(at_once, "Is there a size limit for email attachments?");
  REQUIRE(one.deltas.size() == 1);
  CHECK(one.deltas[0] == run.reply.text);
}

TEST_CASE("at most three sentences and about 600 characters are quoted") {
  auto search = std::make_shared<ai::test::FakeKnowledgeSearch>();
  std::string text;
  for (int i = 0; i < 8; ++i) text += "Sentence " + std::to_string(i) + " talks about refunds and returns. ";
  search->hits = {{"c", "d", "Refunds", text, 4.2}};
  ai::ExtractiveProvider provider(search);
  auto run = generate(provider, "refunds returns");
  REQUIRE(run.reply.answered);
  auto quote = run.reply.text.substr(0, run.reply.text.find("\n\n"));
  CHECK(quote == "Sentence 0 talks about refunds and returns. Sentence 1 talks about refunds and "
                 "returns. Sentence 2 talks about refunds and returns.");

  search->hits = {{"c", "d", "Long", std::string(700, 'a') + " refunds. Short refunds.", 2.9}};
  run = generate(provider, "refunds");
  REQUIRE(run.reply.answered);
  quote = run.reply.text.substr(0, run.reply.text.find("\n\n"));
  CHECK(common::utf8_length(quote) <= 600);
}

TEST_CASE("no hits, a low score or an unrelated best chunk give the plain don't-know reply") {
  auto search = std::make_shared<ai::test::FakeKnowledgeSearch>();
  ai::ExtractiveProvider provider(search);
  auto run = generate(provider, "What is the capital of Australia?");
  CHECK_FALSE(run.reply.answered);
  CHECK(run.reply.sources.empty());
  CHECK(run.reply.text ==
        "Sorry, I don't know the answer to that — it isn't covered in my knowledge base.");
  CHECK(run.joined() == run.reply.text);

  search->hits = {kSpam};
  search->hits[0].score = 0.5;  // below min_score (1.0): only common words matched
  CHECK_FALSE(generate(provider, "spam").reply.answered);
  search->hits[0].score = 3.0;
  CHECK(generate(provider, "spam").reply.answered);
  // One weak shared word among many unrelated ones is not an answer.
  CHECK_FALSE(generate(provider, "best pizza recipe with mozzarella basil tomatoes spam").reply.answered);

  search->hits.clear();
  CHECK(generate(provider, "что угодно", "ru").reply.text ==
        "Извините, я не знаю ответа на этот вопрос — его нет в моей базе знаний.");
  CHECK(generate(provider, "nimadir", "uz").reply.text ==
        "Kechirasiz, bu savolga javobni bilmayman — u mening bilim bazamda yo‘q.");
}

TEST_CASE("the source line follows the bot's language") {
  auto search = std::make_shared<ai::test::FakeKnowledgeSearch>();
  search->hits = {{"c", "d", "Relay хранит мои электронные письма?",
                   "Мы никогда не храним ваши письма дольше трёх дней.", 2.5}};
  ai::ExtractiveProvider provider(search);
  auto run = generate(provider, "Как долго вы храните письма?", "ru");
  REQUIRE(run.reply.answered);
  CHECK(run.reply.text ==
        "Мы никогда не храним ваши письма дольше трёх дней.\n\nИсточник: «Relay хранит мои электронные письма?»");
  search->hits = {{"c", "d", "Matnlar qayerdan olingan?", "Matnlar ochiq manbalardan olingan.", 3.5}};
  run = generate(provider, "Matnlar qayerdan olingan", "uz");
  REQUIRE(run.reply.answered);
  CHECK(run.reply.text == "Matnlar ochiq manbalardan olingan.\n\nManba: “Matnlar qayerdan olingan?”");
}

TEST_CASE("search errors propagate and a closed sink stops the stream") {
  struct Failing : ai::KnowledgeSearch {
    std::vector<ai::KnowledgeHit> search(const std::string&, const std::string&, const std::string&, int) override {
      rpc::throw_not_found("bot not found");
    }
  };
  ai::ExtractiveProvider failing(std::make_shared<Failing>());
  CHECK_THROWS_AS(generate(failing, "anything"), rpc::StatusError);

  auto search = std::make_shared<ai::test::FakeKnowledgeSearch>();
  search->hits = {kAttachments};
  ai::ExtractiveProvider provider(search);
  ai::GenerateInput input;
  input.user_text = "attachments limit";
  int calls = 0;
  ai::FinalReply reply;
  provider.generate(input, [&](std::string_view) { return ++calls < 2; }, reply);
  CHECK(calls == 2);
}

TEST_CASE("unknown provider names fall back to extractive") {
  auto search = std::make_shared<ai::test::FakeKnowledgeSearch>();
  ai::ProviderRegistry providers(std::make_shared<ai::ExtractiveProvider>(search));
  CHECK(providers.resolve("extractive").name() == "extractive");
  CHECK(providers.resolve("gemini").name() == "extractive");
  CHECK(providers.resolve("").name() == "extractive");
  CHECK(providers.resolve("gemini").name() == "extractive");  // logged once, still answers
}

TEST_CASE("small talk is answered in the visitor's language without a search") {
  auto search = std::make_shared<ai::test::FakeKnowledgeSearch>();
  search->hits = {kSpam};
  ai::ExtractiveProvider provider(search);
  auto run = generate(provider, "hello");
  CHECK(run.reply.text == "Hello! Ask me a question and I'll answer from my knowledge base.");
  CHECK(run.reply.answered);
  CHECK(run.reply.sources.empty());
  CHECK(search->last_query.empty());  // no search
  CHECK(generate(provider, "Спасибо!").reply.text == "Пожалуйста! Чем ещё могу помочь?");
  CHECK(generate(provider, "Salom", "ru").reply.text == "Salom! Savolingizni yozing — bilim bazamdan javob beraman.");
  // Undecided language ("?" alone is not small talk either): the bot's language.
  CHECK(generate(provider, "Кто ты?", "en").reply.text.rfind("Я бот-помощник", 0) == 0);
}

TEST_CASE("the chunk in the visitor's language is preferred and the don't-know follows the visitor") {
  auto search = std::make_shared<ai::test::FakeKnowledgeSearch>();
  search->hits = {kSpam, {"c3", "d3", "Что насчёт спама?",
                          "Хотя Relay не фильтрует спам, наш партнёр Amazon SES блокирует спам.", 2.0}};
  ai::ExtractiveProvider provider(search);
  auto run = generate(provider, "Relay блокирует спам?", "en");
  REQUIRE(run.reply.answered);
  CHECK(run.reply.sources[0].chunk_id == "c3");
  CHECK(run.reply.text.find("Источник: «Что насчёт спама?»") != std::string::npos);
  run = generate(provider, "Does Relay block spam?", "ru");
  REQUIRE(run.reply.answered);
  CHECK(run.reply.sources[0].chunk_id == "c2");
  CHECK(run.reply.text.find("Source: “What about spam?”") != std::string::npos);
  search->hits.clear();
  CHECK(generate(provider, "Какая погода в Лондоне?", "en").reply.text ==
        "Извините, я не знаю ответа на этот вопрос — его нет в моей базе знаний.");
}

TEST_CASE("an FAQ entry answers only a question sharing a distinctive word with its title") {
  auto search = std::make_shared<ai::test::FakeKnowledgeSearch>();
  const ai::KnowledgeHit hours{"h", "dh", "How does Common Voice calculate hours?",
                               "Common Voice calculates hours by estimating the average length of each recording.", 9.0};
  const ai::KnowledgeHit what{"w", "dw", "What is Common Voice?", "Common Voice is a database of donated voices.", 3.6};
  const ai::KnowledgeHit goal{"g", "dg", "Is the goal of Common Voice to build a voice assistant?",
                              "The goal of the Common Voice dataset is to enable anyone to build speech apps.", 3.5};
  search->hits = {hours, what, goal};
  ai::ExtractiveProvider provider(search);
  // "common" and "voice" are in every chunk; "record" only in the text of the best one.
  CHECK_FALSE(generate(provider, "How do I record my voice for Common Voice?").reply.answered);
  CHECK(generate(provider, "How are the hours of Common Voice calculated?").reply.answered);

  ai::ExtractiveSettings off;
  off.gate.faq_title_match = false;
  ai::ExtractiveProvider lenient(search, off);
  CHECK(generate(lenient, "How do I record my voice for Common Voice?").reply.answered);
  // A title that is not a question (a manual, a policy page) is not held to the rule.
  search->hits[0].document_title = "Hours";
  CHECK(generate(provider, "How do I record my voice for Common Voice?").reply.answered);
}

TEST_CASE("asked the FAQ heading itself, the answer opens the entry") {
  auto search = std::make_shared<ai::test::FakeKnowledgeSearch>();
  search->hits = {{"c", "d", "What is Common Voice?",
                   "Voice recognition technology is changing how we talk to machines. Common Voice is "
                   "Mozilla's initiative to make it open. We also build Deep Speech next to Common Voice.",
                   9.0}};
  ai::ExtractiveProvider provider(search);
  auto run = generate(provider, "What is Common Voice?");
  REQUIRE(run.reply.answered);
  CHECK(run.reply.text.rfind("Voice recognition technology is changing how we talk to machines.", 0) == 0);
}

TEST_CASE("asked the FAQ heading itself, a later chunk of the entry that scored higher gives way to the opening") {
  // The Russian "Что такое Common Voice?" entry of the demo bot: its second paragraph (ordinal 1)
  // is shorter and also names Common Voice, so it scores first; the answer is the first one.
  auto search = std::make_shared<ai::test::FakeKnowledgeSearch>();
  ai::KnowledgeHit later{"c2", "d", "Что такое Common Voice?",
                         "Мы собираем образцы голоса на многих языках. Кроме набора данных Common Voice мы "
                         "создаём движок Deep Speech.",
                         9.0};
  later.ordinal = 1;
  ai::KnowledgeHit other{"x", "dx", "Как Common Voice считает часы?", "Common Voice считает часы записей.", 8.0};
  ai::KnowledgeHit opening{"c1", "d", "Что такое Common Voice?",
                           "Common Voice — это открытая база пожертвованных голосов. Она помогает обучать "
                           "голосовые приложения.",
                           7.0};
  search->hits = {later, other, opening};
  ai::ExtractiveProvider provider(search);
  auto run = generate(provider, "Что такое Common Voice?");
  REQUIRE(run.reply.answered);
  CHECK(run.reply.sources[0].chunk_id == "c1");
  CHECK(run.reply.text.rfind("Common Voice — это открытая база пожертвованных голосов.", 0) == 0);
  // A question that is not the heading keeps the best-scoring chunk (a page titled as a topic,
  // so the FAQ-title rule stays out of it).
  for (auto& hit : search->hits) {
    if (hit.document_id == "d") hit.document_title = "О Common Voice";
  }
  run = generate(provider, "Какие образцы голоса собирает Common Voice?");
  REQUIRE(run.reply.answered);
  CHECK(run.reply.sources[0].chunk_id == "c2");
}
