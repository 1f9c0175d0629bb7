// The in-process search index (search_index*, V008): the same chunks, order and scores as the
// SQL search on many questions in en / ru / uz (Uzbek Latin and Cyrillic), the knowledge
// version seen by every replica at once, and the cache's byte budget. Real PostgreSQL
// (BOTFACTORY_TEST_PG); the corpus is generated plus the Mozilla FAQ fixture, plus XQuAD from
// ../shared/data when that folder is there (BOTFACTORY_SHARED_DATA overrides the path).

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "botfactory/common/text.hpp"
#include "search_index_repository.hpp"
#include "text_array.hpp"
#include "search_query.hpp"
#include "support/registry_harness.hpp"

using namespace botfactory;
namespace v1 = botfactory::registry::v1;

namespace {

const std::string kTenant = "44444444-4444-4444-8444-444444444444";

using Harness = registry::test::RegistryHarness;

/// Plan limits: none (searches only).
class NoLimits : public registry::EntitlementsClient {
 public:
  registry::PlanLimits limits(const std::string&) override { return {}; }
};

/// Another BotRegistry on the harness's database: a second replica, or with `cache_bytes` 0
/// the SQL search alone.
std::unique_ptr<registry::BotRegistry> replica(Harness& h, std::size_t cache_bytes) {
  registry::RegistrySettings settings;
  settings.search_cache_bytes = cache_bytes;
  return std::make_unique<registry::BotRegistry>(h.pool, std::make_shared<NoLimits>(), settings);
}

std::vector<v1::KnowledgeChunk> search(registry::BotRegistry& registry, const v1::Bot& bot,
                                       const std::string& query, int limit) {
  v1::SearchKnowledgeRequest request;
  request.set_tenant_id(bot.tenant_id());
  request.set_bot_id(bot.id());
  request.set_query(query);
  request.set_limit(limit);
  auto response = registry.search_knowledge(request);
  return {response.chunks().begin(), response.chunks().end()};
}

double max_relative_difference = 0;  // over every score compared, for the report

bool close(double a, double b) {
  double d = std::fabs(a - b) / std::max(1e-300, std::fabs(b));
  max_relative_difference = std::max(max_relative_difference, d);
  return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(a));
}

/// Compares the two paths' answers to `query`; returns the number of differences (and INFOs them).
int differences(const std::vector<v1::KnowledgeChunk>& index, const std::vector<v1::KnowledgeChunk>& sql,
                const std::string& query) {
  int bad = 0;
  if (index.size() != sql.size()) {
    UNSCOPED_INFO("size differs for \"" << query << "\": " << index.size() << " vs " << sql.size());
    return 1;
  }
  for (std::size_t i = 0; i < index.size(); ++i) {
    if (index[i].chunk_id() != sql[i].chunk_id() || !close(index[i].score(), sql[i].score()) ||
        !close(index[i].normalized_score(), sql[i].normalized_score()) ||
        index[i].text() != sql[i].text() || index[i].document_title() != sql[i].document_title() ||
        index[i].document_id() != sql[i].document_id() || index[i].ordinal() != sql[i].ordinal()) {
      UNSCOPED_INFO("\"" << query << "\" #" << i << ": " << index[i].chunk_id() << " "
                         << index[i].score() << " / " << index[i].normalized_score() << " vs "
                         << sql[i].chunk_id() << " " << sql[i].score() << " / "
                         << sql[i].normalized_score());
      ++bad;
    }
  }
  return bad;
}

/// Words of `text` (spaces), for making questions from the knowledge itself.
std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

/// Questions from the documents: windows of 2-7 words, some with a letter dropped (the 4-gram
/// stage), plus `extra`.
std::vector<std::string> questions_from(const std::vector<std::pair<std::string, std::string>>& docs,
                                        std::size_t count, std::vector<std::string> extra) {
  std::mt19937 rng(7);
  std::vector<std::string> out = std::move(extra);
  for (std::size_t i = 0; i < count && !docs.empty(); ++i) {
    const auto& [title, body] = docs[rng() % docs.size()];
    auto words = split_words(i % 5 == 0 ? title : body);
    if (words.empty()) continue;
    std::size_t n = 2 + rng() % 6, start = rng() % words.size();
    std::string q;
    for (std::size_t k = start; k < std::min(words.size(), start + n); ++k) {
      std::string w = words[k];
      if (i % 3 == 1 && w.size() > 5 && static_cast<unsigned char>(w[2]) < 0x80) w.erase(2, 1);
      q += (q.empty() ? "" : " ") + w;
    }
    out.push_back(q);
  }
  return out;
}

/// A generated corpus: sentences from a small vocabulary with a Zipf-like skew, so postings are
/// long for some words and short for others.
std::vector<std::pair<std::string, std::string>> generated_docs(const std::vector<std::string>& vocabulary,
                                                                std::size_t docs, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::pair<std::string, std::string>> out;
  auto word = [&] {
    double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return vocabulary[static_cast<std::size_t>(std::pow(u, 2.0) * static_cast<double>(vocabulary.size()))];
  };
  for (std::size_t d = 0; d < docs; ++d) {
    std::string title = word() + " " + word() + " " + word();
    std::string body;
    std::size_t sentences = 1 + rng() % 12;
    for (std::size_t s = 0; s < sentences; ++s) {
      std::size_t n = 4 + rng() % 12;
      for (std::size_t k = 0; k < n; ++k) body += word() + (k + 1 < n ? " " : ". ");
      if (rng() % 4 == 0) body += "\n\n";
    }
    out.emplace_back(title, body);
  }
  return out;
}

/// ../shared/data (or BOTFACTORY_SHARED_DATA) when it holds XQuAD; empty otherwise.
std::string shared_data() {
  if (const char* env = std::getenv("BOTFACTORY_SHARED_DATA")) return env;
  for (const char* up : {"/../../../../../shared/data", "/../../../../../../shared/data"}) {
    std::string path = std::string(REGISTRY_FIXTURES_DIR) + up;
    if (std::filesystem::exists(path + "/xquad-en-ru/docs.jsonl")) return path;
  }
  return "";
}

/// Up to `max` XQuAD paragraphs (title, text) of `lang` from `data`.
std::vector<std::pair<std::string, std::string>> xquad_docs(const std::string& data,
                                                            const std::string& lang, std::size_t max) {
  std::vector<std::pair<std::string, std::string>> out;
  std::ifstream in(data + "/xquad-en-ru/docs.jsonl");
  for (std::string line; out.size() < max && std::getline(in, line);) {
    if (line.empty()) continue;
    auto o = boost::json::parse(line).as_object();
    if (o.at("lang").as_string() != lang) continue;
    std::string title(o.at("title").as_string());
    out.emplace_back(title.substr(0, common::utf8_offset(title, 200)), std::string(o.at("text").as_string()));
  }
  return out;
}

}  // namespace

TEST_CASE("search index: the question's 4-grams are the ones PostgreSQL cuts") {
  Harness h;
  for (const std::string text : {"COVID-19!", "how does the corona virus spread", "Маълумот ўзбек",
                                 "Ёлка и ёж", "ab", "", "maʼlumot o‘zbek tili", "日本語のテキスト 42"}) {
    for (const std::string language : {"en", "ru", "uz"}) {
      auto connection = h.pool->acquire();
      auto r = connection->exec(
          "SELECT registry.gram_text($1, $2), ARRAY(SELECT gram FROM registry.char_grams($1, $2) "
          "ORDER BY gram COLLATE \"C\")::text",
          {language, text});
      INFO(language << " \"" << text << "\"");
      CHECK(registry::text_array_literal(registry::query_grams(r.str(0, 0))) ==
            registry::text_array_literal(registry::text_array_elements(r.text(0, 1))));
    }
  }
}

TEST_CASE("search index: the same chunks, order and scores as the SQL search (en, ru, uz Latin and Cyrillic)") {
  Harness h;
  auto sql = replica(h, 0);
  auto& index_registry = *h.bots;
  REQUIRE(index_registry.search_cache() != nullptr);
  REQUIRE(sql->search_cache() == nullptr);

  const std::vector<std::string> en_vocabulary = {
      "the", "voice", "record", "common", "dataset", "language", "sentence", "microphone",
      "browser", "account", "privacy", "download", "license", "speaker", "accent", "validate",
      "clip", "hours", "contribute", "community", "model", "speech", "recognition", "open",
      "source", "mozilla", "firefox", "relay", "email", "mask", "spam", "forward", "address",
      "coronavirus", "covid", "spread", "symptoms", "vaccine", "travel", "quarantine", "2019",
      "children", "pets", "masks", "testing", "hospital", "fever", "cough", "isolation"};
  const std::vector<std::string> ru_vocabulary = {
      "голос", "запись", "набор", "данных", "язык", "предложение", "микрофон", "браузер",
      "аккаунт", "конфиденциальность", "скачать", "лицензия", "диктор", "акцент", "проверка",
      "часы", "сообщество", "модель", "речь", "распознавание", "открытый", "ёлка", "ёж",
      "хранить", "храним", "хранение", "почта", "адрес", "спам", "вирус", "симптомы", "вакцина"};
  const std::vector<std::string> uz_vocabulary = {
      "ma'lumot", "maʼlumotlar", "ovoz", "yozib", "olish", "til", "gap", "mikrofon", "brauzer",
      "hisob", "maxfiylik", "yuklab", "litsenziya", "o'zbek", "oʻzbekcha", "ro'yxatdan", "g'oya",
      "маълумот", "маълумотлар", "овоз", "ёзиб", "олиш", "тил", "ўзбек", "рўйхатдан", "ғоя",
      "ҳамма", "қилиб", "сўз", "ечим", "ёрдам", "цирк", "концерт", "еr", "shahar", "шаҳар"};

  struct Case {
    std::string language;
    std::vector<std::pair<std::string, std::string>> docs;
    std::vector<std::string> extra;
  };
  std::vector<Case> cases;
  {
    auto docs = generated_docs(en_vocabulary, 150, 1);
    for (const auto& e : registry::test::load_faq("en")) docs.emplace_back(e.title, e.text);
    cases.push_back({"en", docs,
                     {"How do I record my voice for Common Voice?", "the", "the a an",
                      "corona virus spreadable", "COVID-10 symptoms", "zzzz qqqq", "hello",
                      "voice voice voice", "Who made you?", "firefox relay email mask spam"}});
  }
  {
    auto docs = generated_docs(ru_vocabulary, 120, 2);
    for (const auto& e : registry::test::load_faq("ru")) docs.emplace_back(e.title, e.text);
    cases.push_back({"ru", docs,
                     {"Как записать свой голос?", "и в на", "хранить храним хранение",
                      "Ёлка ёж елка", "вирус симптомы вакцина", "nothing here"}});
  }
  {
    auto docs = generated_docs(uz_vocabulary, 120, 3);
    for (const auto& e : registry::test::load_faq("uz")) docs.emplace_back(e.title, e.text);
    cases.push_back({"uz", docs,
                     {"Маълумотларни қандай олишим мумкин?", "maʼlumotlarni qanday olishim mumkin?",
                      "ma'lumot", "маълумот", "ўзбек тили", "o‘zbek tili", "oʻzbek", "рўйхатдан ўтиш",
                      "ro'yxatdan o'tish", "шаҳар цирк концерт", "shahar sirk konsert", "ечим ёрдам"}});
  }
  if (auto data = shared_data(); !data.empty()) {
    cases.push_back({"en", xquad_docs(data, "en", 120), {"What year did Tesla die?"}});
    cases.push_back({"ru", xquad_docs(data, "ru", 120), {"В каком году умер Тесла?"}});
  }

  int compared = 0, bad = 0;
  for (const auto& c : cases) {
    // A tenant per bot: the fake plan allows 3 bots a tenant.
    auto tenant = "44444444-4444-4444-8444-00000000000" + std::to_string(&c - &cases[0]);
    auto bot = h.create_bot(tenant, "Equal " + c.language, c.language);
    for (const auto& [title, body] : c.docs) h.add_document(bot, title, body);
    auto index = index_registry.search_cache()->load_now(bot.id());
    REQUIRE(index != nullptr);
    auto hits_before = index_registry.search_cache()->stats().hits;
    auto questions = questions_from(c.docs, 150, c.extra);
    for (const auto& q : questions) {
      for (int limit : {3, 20}) {
        auto from_index = search(index_registry, bot, q, limit);
        auto from_sql = search(*sql, bot, q, limit);
        bad += differences(from_index, from_sql, q);
        ++compared;
      }
    }
    // Every question with a lexeme was answered from the index.
    CHECK(index_registry.search_cache()->stats().hits > hits_before);
  }
  WARN(compared << " searches, " << cases.size() << " bots; max rel. diff "
                << max_relative_difference);
  CHECK(compared >= 900);
  CHECK(bad == 0);
}

TEST_CASE("search index: a document change is seen at once by every replica; the index catches up") {
  Harness h;
  auto a = replica(h, 64 << 20);
  auto b = replica(h, 64 << 20);
  auto bot = h.create_bot(kTenant, "Replicas", "en");
  h.add_document(bot, "Opening hours", "We are open from nine to five on weekdays.");
  h.add_document(bot, "Parking", "Parking is free for customers behind the shop.");
  auto version = [&] {
    return h.count("SELECT knowledge_version FROM registry.bots WHERE id = '" + bot.id() + "'");
  };
  auto v1 = version();
  REQUIRE(a->search_cache()->load_now(bot.id()) != nullptr);
  REQUIRE(b->search_cache()->load_now(bot.id()) != nullptr);
  REQUIRE(search(*b, bot, "where do I park", 3).size() == 1);
  CHECK(b->search_cache()->stats().hits == 1);

  // Added through replica A (its own registry): B's next search already finds it.
  v1::AddDocumentRequest add;
  add.set_tenant_id(kTenant);
  add.set_bot_id(bot.id());
  add.set_title("Bicycle parking");
  add.set_body("Bicycles park at the front door.");
  auto added = a->add_document(add);
  CHECK(version() > v1);
  auto misses = b->search_cache()->stats().misses;
  auto hits = search(*b, bot, "where do I park a bicycle", 3);
  REQUIRE(hits.size() == 2);
  CHECK(hits[0].document_id() == added.id());
  CHECK(b->search_cache()->stats().misses == misses + 1);  // stale index: answered in SQL
  // The reload was queued by that miss; afterwards B answers from the new index, the same way.
  // A reload is not started sooner than 4× the last load's time after the previous one, so on a
  // busy machine the first search after the miss may still be answered in SQL: search until
  // one is a hit (bounded), then compare.
  bool from_index = false;
  std::vector<v1::KnowledgeChunk> again;
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!from_index && std::chrono::steady_clock::now() < give_up) {
    REQUIRE(b->search_cache()->wait_idle(std::chrono::seconds(30)));
    auto hits_before = b->search_cache()->stats().hits;
    again = search(*b, bot, "where do I park a bicycle", 3);
    from_index = b->search_cache()->stats().hits == hits_before + 1;
    if (!from_index) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(from_index);
  CHECK(differences(again, hits, "bicycle") == 0);

  // Deleted through A: gone for B at once.
  v1::DeleteDocumentRequest remove;
  remove.set_tenant_id(kTenant);
  remove.set_bot_id(bot.id());
  remove.set_document_id(added.id());
  auto v2 = version();
  a->delete_document(remove);
  CHECK(version() > v2);
  hits = search(*b, bot, "where do I park a bicycle", 3);
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].document_id() != added.id());

  // A language change re-indexes the chunks: a new version. A rename does not.
  auto v3 = version();
  v1::UpdateBotRequest rename;
  rename.set_tenant_id(kTenant);
  rename.set_bot_id(bot.id());
  rename.set_name("Renamed");
  a->update_bot(rename);
  CHECK(version() == v3);
  v1::UpdateBotRequest relanguage = rename;
  relanguage.set_language("ru");
  a->update_bot(relanguage);
  CHECK(version() > v3);

  // The bot deleted: NOT_FOUND from every replica, whatever it has cached.
  v1::DeleteBotRequest del;
  del.set_tenant_id(kTenant);
  del.set_bot_id(bot.id());
  a->delete_bot(del);
  CHECK_THROWS(search(*b, bot, "parking", 3));
  // Another tenant never reads it either.
  auto other = bot;
  other.set_tenant_id("55555555-5555-4555-8555-555555555555");
  CHECK_THROWS(search(*b, other, "parking", 3));
}

TEST_CASE("search index: the byte budget evicts the least recently used bot; a bot over it is searched in SQL") {
  Harness h;
  auto small = h.create_bot(kTenant, "Small", "en");
  auto other = h.create_bot(kTenant, "Other", "en");
  auto big = h.create_bot(kTenant, "Big", "en");
  for (const auto& e : registry::test::load_faq("en")) {
    h.add_document(small, e.title, e.text);
    h.add_document(other, e.title, e.text);
  }
  const std::vector<std::string> vocabulary = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta",
                                               "theta", "kappa", "lambda", "sigma", "omega", "tau"};
  for (const auto& [title, body] : generated_docs(vocabulary, 200, 9)) h.add_document(big, title, body);

  std::size_t one;  // one FAQ bot's index
  {
    auto probe = replica(h, 64 << 20);
    auto index = probe->search_cache()->load_now(small.id());
    REQUIRE(index != nullptr);
    one = index->bytes();
  }
  // Room for one FAQ bot and a half: loading the second evicts the first.
  auto registry = replica(h, one + one / 2);
  auto& cache = *registry->search_cache();
  REQUIRE(cache.load_now(small.id()) != nullptr);
  REQUIRE(cache.load_now(other.id()) != nullptr);
  auto stats = cache.stats();
  CHECK(stats.bots == 1);
  CHECK(stats.evictions == 1);
  CHECK(stats.bytes <= one + one / 2);
  // The evicted bot is still searched right (in SQL), and its reload is queued.
  auto sql = replica(h, 0);
  CHECK(differences(search(*registry, small, "record my voice", 5), search(*sql, small, "record my voice", 5),
                    "record my voice") == 0);
  CHECK(cache.stats().misses == 1);

  // The big bot's index alone passes the budget: never cached, always SQL, same answers.
  CHECK(cache.load_now(big.id()) == nullptr);
  CHECK(cache.stats().too_large == 1);
  CHECK(cache.stats().bytes <= one + one / 2);
  auto from_cache_registry = search(*registry, big, "alpha beta gamma", 10);
  CHECK_FALSE(from_cache_registry.empty());
  CHECK(differences(from_cache_registry, search(*sql, big, "alpha beta gamma", 10), "alpha beta gamma") == 0);
}
