// bench_answer_gate: does the offline (extractive) answerer answer what its knowledge base
// covers and say "I don't know" to what it does not? (docs/benchmarks.md "Offline answerer:
// answer or refuse"). For each scenario it creates a bot in a fresh PostgreSQL database through
// BotRegistry (the service's own extraction, chunking, BM25F search), fills it with part of a
// dataset of ../shared/data, and asks:
// - covered questions (their gold entry is in the bot): right = the gate lets the chunk through
//   and it comes from a gold entry;
// - uncovered questions (held-out entries of the same FAQ, and questions of another dataset):
//   refused = the gate stops it.
// It follows ExtractiveProvider's path (detect_language → reply_language → SearchKnowledge top 5
// → pick_hit_in_language → measure_relevance) and sweeps the gate thresholds over the recorded
// relevance, so every row of the trade-off curve uses the same retrieval.
//
// Output: markdown tables on stdout; one JSON object per scenario and threshold on stderr lines
// "RESULT {...}".
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "bot_registry.hpp"
#include "embedding_backfill.hpp"
#include "sentence_encoder.hpp"
#include "question_split.hpp"
#include "scratch_database.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/pg/connection.hpp"
#include "botfactory/pg/migrator.hpp"
#include "botfactory/pg/pool.hpp"
#include "extractive_provider.hpp"
#include "language_detect.hpp"
#include "migrations.hpp"
#include "relevance_gate.hpp"

namespace {

using namespace botfactory;
namespace json = boost::json;

class NoLimits : public registry::EntitlementsClient {
 public:
  registry::PlanLimits limits(const std::string&) override { return {}; }
};

std::vector<json::object> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<json::object> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(json::parse(line).as_object());
  }
  return out;
}

std::string str(const json::object& o, const char* key) {
  auto it = o.find(key);
  return it == o.end() || !it->value().is_string() ? std::string() : std::string(it->value().as_string());
}

struct Options {
  std::string pg = "host=127.0.0.1 user=postgres dbname=postgres";
  std::string data = "../shared/data";
  int foreign = 200;  // questions of another dataset asked as uncovered, per language
  std::string vectors;  // word vectors file: English bots' searches get the semantic re-rank
  std::string sentence_encoder;  // sentence encoder file: the sentence-encoder re-rank (shipped)
  std::string dump;  // JSON lines, one per asked question: what the gate saw (for prototypes)
};

Options parse(int argc, char** argv) {
  Options o;
  CLI::App app{"Answer-or-refuse quality of the extractive answerer on ../shared/data", "bench_answer_gate"};
  app.add_option("--pg", o.pg, "libpq conninfo of a maintenance database (a private one is made)");
  app.add_option("--data", o.data, "the datasets folder (../shared/data)")->check(CLI::ExistingDirectory);
  app.add_option("--foreign", o.foreign, "out-of-domain questions per language (XQuAD)");
  app.add_option("--sentence-encoder", o.sentence_encoder,
                 "sentence encoder file (tools/sentence-encoder/use-lite-en.bfse): every bot's chunks embedded by "
                 "the backfill worker, the sentence-encoder re-rank on");
  app.add_option("--dump", o.dump,
                 "write one JSON line per asked question (scenario, covered, half, the gate's inputs, the top hits) "
                 "to this file, for bench/retrieval_prototype/gate.py");
  app.add_option("--vectors", o.vectors, "word vectors file (tools/word-vectors/en-100d.bfwv): semantic re-rank on");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  return o;
}

std::string fmt(double v, const char* f = "%.3f") {
  char buf[32];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

/// One asked question: what the gate would see, and whether the chunk is a gold one.
struct Asked {
  bool covered = false;
  bool right_document = false;
  bool any_hit = false;
  int half = 0;  // bench::question_half() of the question's dataset id
  ai::Relevance relevance;
};

/// The same questions asked under many gate thresholds.
struct Scenario {
  std::string name;
  std::vector<Asked> asked;
};

struct Rates {
  int covered = 0, uncovered = 0, right = 0, answered_covered = 0, refused = 0;
  double right_rate() const { return covered ? double(right) / covered : 0; }
  double refused_rate() const { return uncovered ? double(refused) / uncovered : 0; }
};

/// The rule the registry's normalized score replaces (passes_gate() without it: coverage and
/// the FAQ-title rule, as with a registry that does not report one), and, when
/// `min_normalized` > 0, the normalized score ≥ min_normalized as well.
bool legacy_gate(const Asked& a, const ai::GateSettings& gate, double min_normalized = 0) {
  auto relevance = a.relevance;
  relevance.normalized_score = 0;
  return ai::passes_gate(relevance, gate) && a.relevance.normalized_score >= min_normalized;
}

/// The rates of `passes` (the gate's verdict on one question) over the questions of `half` (0
/// or 1), or all of them (-1).
template <typename Passes>
Rates rates(const Scenario& s, Passes passes, int half = -1) {
  Rates r;
  for (const auto& a : s.asked) {
    if (half >= 0 && a.half != half) continue;
    bool pass = a.any_hit && passes(a);
    if (a.covered) {
      ++r.covered;
      if (pass) ++r.answered_covered;
      if (pass && a.right_document) ++r.right;
    } else {
      ++r.uncovered;
      if (!pass) ++r.refused;
    }
  }
  return r;
}

/// SearchKnowledge in process.
std::vector<ai::KnowledgeHit> search(registry::BotRegistry& registry, const std::string& tenant,
                                     const std::string& bot, const std::string& query, int limit) {
  registry::v1::SearchKnowledgeRequest request;
  request.set_tenant_id(tenant);
  request.set_bot_id(bot);
  request.set_query(query);
  request.set_limit(limit);
  std::vector<ai::KnowledgeHit> hits;
  auto response = registry.search_knowledge(request);
  for (const auto& c : response.chunks()) {
    hits.push_back({c.chunk_id(), c.document_id(), c.document_title(), c.text(), c.score(),
                    c.normalized_score(), c.semantic_similarity(), c.semantic(), c.ordinal()});
  }
  return hits;
}

/// KnowledgeSearch over BotRegistry in process, for ExtractiveProvider.
class InProcessSearch : public ai::KnowledgeSearch {
 public:
  explicit InProcessSearch(registry::BotRegistry& registry) : registry_(registry) {}
  std::vector<ai::KnowledgeHit> search(const std::string& tenant_id, const std::string& bot_id,
                                       const std::string& query, int limit) override {
    return ::search(registry_, tenant_id, bot_id, query, limit);
  }

 private:
  registry::BotRegistry& registry_;
};

// What a newcomer types at the demo bot (issue 7, "The offline default must feel right too").
const char* const kDemoQuestions[] = {
    "hello", "Who made you?", "thanks!", "How do I record my voice for Common Voice?",
    "Can I reply to emails sent to my mask?", "Is there a size limit for attachments?",
    "Как записать свой голос для Common Voice?", "Что такое Common Voice?", "Relay блокирует спам?",
    "Common Voice nima?", "Qanday qilib Common Voice maʼlumotlarini olishim mumkin?", "Salom",
    "What is the boiling point of tungsten?", "Какая погода в Лондоне?", "Toshkentda ob-havo qanday?"};

}  // namespace

int main(int argc, char** argv) try {
  Options options = parse(argc, argv);
  bench::ScratchDatabase scratch(options.pg, "bench_gate_");  // dropped at the end
  const std::string& conninfo = scratch.conninfo();
  {
    pg::Connection c(conninfo);
    pg::migrate(c, "registry", migrations::registry_migrations());
  }
  auto pool = std::make_shared<pg::Pool>(conninfo, 2);
  registry::RegistrySettings settings;
  if (!options.vectors.empty()) {
    settings.word_vectors = registry::WordVectors::load(options.vectors);
    std::cout << "Semantic re-rank on (word vectors " << options.vectors << ")\n\n";
  }
  std::unique_ptr<registry::EmbeddingBackfill> backfill;
  if (!options.sentence_encoder.empty()) {
    settings.sentence_encoder = registry::SentenceEncoder::load(options.sentence_encoder);
    backfill = std::make_unique<registry::EmbeddingBackfill>(pool, settings.sentence_encoder,
                                                             registry::EmbeddingBackfillSettings{});
    std::cout << "Sentence-encoder re-rank on (" << options.sentence_encoder << "; every chunk embedded first)\n\n";
  }
  registry::BotRegistry registry(pool, std::make_shared<NoLimits>(), settings);
  pg::Connection sql(conninfo);
  std::string tenant = sql.exec("SELECT gen_random_uuid()::text").str(0, 0);
  const ai::ExtractiveSettings defaults;
  std::ofstream dump;
  if (!options.dump.empty()) {
    dump.open(options.dump);
    if (!dump) throw std::runtime_error("cannot write " + options.dump);
  }

  auto xquad = read_jsonl(options.data + "/xquad-en-ru/questions.jsonl");
  std::vector<std::pair<std::string, std::string>> foreign_questions;  // (id, question): every 10th,
                                                                       // up to options.foreign per language
  for (const char* language : {"en", "ru"}) {
    int taken = 0;
    for (std::size_t i = 0; i < xquad.size() && taken < options.foreign; i += 10) {
      if (str(xquad[i], "lang") == language) {
        foreign_questions.emplace_back(str(xquad[i], "id"), str(xquad[i], "question"));
        ++taken;
      }
    }
  }

  // A scenario: the entries of `folder` whose key (group_id, else id) is in an even position
  // are the bot's knowledge (every entry when `all_entries`); the rest are held out. Every
  // question of `other_faq` (another dataset's folder, "" for none) is asked as uncovered too.
  auto run = [&](const std::string& name, const std::string& folder, const std::string& bot_language,
                 bool all_entries = false, const std::string& other_faq = "") {
    auto docs = read_jsonl(options.data + "/" + folder + "/docs.jsonl");
    auto questions = read_jsonl(options.data + "/" + folder + "/questions.jsonl");
    std::vector<std::string> keys;
    for (const auto& d : docs) {
      auto key = str(d, "group_id").empty() ? str(d, "id") : str(d, "group_id");
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
    }
    std::set<std::string> kept_keys;
    for (std::size_t i = 0; i < keys.size(); i += all_entries ? 1 : 2) kept_keys.insert(keys[i]);

    registry::v1::CreateBotRequest create;
    create.set_tenant_id(tenant);
    create.set_name("gate " + name);
    create.set_language(bot_language);
    auto bot = registry.create_bot(create);
    std::map<std::string, std::string> dataset_id;  // registry document id -> dataset doc id
    std::set<std::string> kept_ids;
    for (const auto& d : docs) {
      auto key = str(d, "group_id").empty() ? str(d, "id") : str(d, "group_id");
      if (!kept_keys.count(key)) continue;
      registry::v1::AddDocumentRequest add;
      add.set_tenant_id(tenant);
      add.set_bot_id(bot.id());
      auto title = str(d, "title");
      add.set_title(title.substr(0, common::utf8_offset(title, 200)));
      add.set_format(registry::v1::DOCUMENT_FORMAT_TEXT);
      add.set_body(str(d, "text"));
      dataset_id[registry.add_document(add).id()] = str(d, "id");
      kept_ids.insert(str(d, "id"));
    }
    if (backfill) backfill->run_until_idle();
    Scenario s{name, {}};
    auto ask = [&](const std::string& id, const std::string& question, const std::set<std::string>& gold,
                   bool covered) {
      auto language = ai::reply_language(ai::detect_language(question), bot_language);
      auto hits = search(registry, tenant, bot.id(), question, defaults.top_k);
      Asked a;
      a.covered = covered;
      a.half = bench::question_half(sql, id);
      if (!hits.empty()) {
        auto index = ai::pick_hit_in_language(hits, language);
        const auto& hit = hits[index];
        a.any_hit = true;
        a.relevance = ai::measure_relevance(question, hits, index, language);
        a.right_document = gold.count(dataset_id[hit.document_id]) > 0;
      }
      if (dump.is_open()) {
        const auto& r = a.relevance;
        json::array top;
        for (const auto& h : hits) {
          top.push_back(json::object{{"doc", dataset_id[h.document_id]}, {"title", h.document_title},
                                     {"score", h.score}, {"norm", h.normalized_score},
                                     {"sim", h.semantic_similarity}, {"semantic", h.semantic},
                                     {"gold", gold.count(dataset_id[h.document_id]) > 0}});
        }
        json::object line{{"scenario", name}, {"id", id}, {"question", question}, {"language", language},
                          {"covered", covered}, {"half", a.half}, {"right", a.right_document},
                          {"any_hit", a.any_hit}, {"score", r.score}, {"norm", r.normalized_score},
                          {"query_terms", r.query_terms}, {"matched", r.matched},
                          {"title_matched", r.title_matched}, {"distinctive_terms", r.distinctive_terms},
                          {"distinctive_matched", r.distinctive_matched},
                          {"distinctive_title_matched", r.distinctive_title_matched},
                          {"title_is_question", r.title_is_question}, {"semantic", r.semantic},
                          {"sim", r.semantic_similarity},
                          {"pass", a.any_hit && ai::passes_gate(r, defaults.gate)}, {"hits", top}};
        dump << json::serialize(line) << '\n';
      }
      s.asked.push_back(a);
    };
    for (const auto& q : questions) {
      std::set<std::string> gold;
      bool covered = false;
      for (const auto& g : q.at("gold_ids").as_array()) {
        gold.insert(std::string(g.as_string()));
        if (kept_ids.count(std::string(g.as_string()))) covered = true;
      }
      ask(str(q, "id"), str(q, "question"), gold, covered);
    }
    for (const auto& [id, question] : foreign_questions) ask(id, question, {}, false);
    if (!other_faq.empty()) {
      for (const auto& q : read_jsonl(options.data + "/" + other_faq + "/questions.jsonl")) {
        ask(str(q, "id"), str(q, "question"), {}, false);
      }
    }
    return s;
  };

  std::vector<Scenario> scenarios;
  scenarios.push_back(run("mozilla-faq en+ru+uz (one bot, half the entries)", "mozilla-faq", "en"));
  scenarios.push_back(run("covid-faq paraphrases (en, half the entries)", "covid-faq-deepset", "en"));
  // Another FAQ's questions against a bot holding all of one FAQ: off-topic visitors.
  scenarios.push_back(run("covid-faq bot (all entries) asked mozilla-faq questions", "covid-faq-deepset",
                          "en", true, "mozilla-faq"));
  scenarios.push_back(run("mozilla-faq bot (all entries) asked covid-faq paraphrases", "mozilla-faq", "en",
                          true, "covid-faq-deepset"));

  {
    // The demo bot: every entry of mozilla-faq (en, ru, uz), as scripts/seed.mjs seeds it.
    registry::v1::CreateBotRequest create;
    create.set_tenant_id(tenant);
    create.set_name("demo");
    create.set_language("en");
    auto bot = registry.create_bot(create);
    for (const auto& d : read_jsonl(options.data + "/mozilla-faq/docs.jsonl")) {
      registry::v1::AddDocumentRequest add;
      add.set_tenant_id(tenant);
      add.set_bot_id(bot.id());
      add.set_title(str(d, "title"));
      add.set_format(registry::v1::DOCUMENT_FORMAT_TEXT);
      add.set_body(str(d, "text"));
      registry.add_document(add);
    }
    if (backfill) backfill->run_until_idle();
    ai::ExtractiveProvider provider(std::make_shared<InProcessSearch>(registry));
    std::cout << "### The demo bot (all of mozilla-faq, bot language en)\n\n| question | reply |\n|---|---|\n";
    for (const char* question : kDemoQuestions) {
      ai::GenerateInput input;
      input.tenant_id = tenant;
      input.bot_id = bot.id();
      input.language = "en";
      input.user_text = question;
      ai::FinalReply reply;
      provider.generate(input, [](std::string_view) { return true; }, reply);
      std::string text = reply.text;
      for (auto& ch : text) if (ch == '\n' || ch == '|') ch = ' ';
      std::cout << "| " << question << " | " << text << " |\n";
    }
  }

  const std::vector<double> coverages = {0.0, 0.2, 0.25, 0.3, 0.34, 0.4, 0.5, 0.6, 0.67, 0.75, 0.8, 1.0};
  struct Row {
    double min_score;
    bool faq_title_match;
  };
  // The score is BM25F + 0.7 × the 4-gram BM25 (bot-registry V007): tens, not units.
  const std::vector<Row> rows = {{1.0, false}, {20.0, false}, {40.0, false},
                                 {1.0, true},  {20.0, true},  {40.0, true}};
  for (const auto& s : scenarios) {
    int covered = 0;
    for (const auto& a : s.asked) covered += a.covered ? 1 : 0;
    std::cout << "\n### " << s.name << ": " << covered << " covered, " << s.asked.size() - covered
              << " uncovered questions\n\n";
    std::cout << "Cells: covered answered from the right entry % / covered answered at all % / "
                 "uncovered refused %.\n\n| min_score, faq_title_match \\ min_coverage |";
    for (double c : coverages) std::cout << " " << fmt(c, "%.2f") << " |";
    std::cout << "\n|---|";
    for (std::size_t i = 0; i < coverages.size(); ++i) std::cout << "---|";
    std::cout << "\n";
    for (const auto& row : rows) {
      std::cout << "| " << fmt(row.min_score, "%.0f") << (row.faq_title_match ? ", on" : ", off") << " |";
      for (double c : coverages) {
        ai::GateSettings gate;
        gate.min_score = row.min_score;
        gate.faq_title_match = row.faq_title_match;
        gate.min_coverage = c;
        auto r = rates(s, [&](const Asked& a) { return legacy_gate(a, gate); });
        std::cout << " " << fmt(100 * r.right_rate(), "%.0f") << " / "
                  << fmt(r.covered ? 100.0 * r.answered_covered / r.covered : 0, "%.0f") << " / "
                  << fmt(100 * r.refused_rate(), "%.0f") << " |";
        json::object result{{"scenario", s.name},      {"min_score", row.min_score},
                            {"faq_title_match", row.faq_title_match},
                            {"min_coverage", c},       {"covered", r.covered},
                            {"uncovered", r.uncovered}, {"answered_right", r.right_rate()},
                            {"answered_covered", r.covered ? double(r.answered_covered) / r.covered : 0},
                            {"refused_uncovered", r.refused_rate()}};
        std::cerr << "RESULT " << json::serialize(result) << std::endl;
      }
      std::cout << "\n";
    }
    // The normalized score (bot-registry's score / the question's best possible one): rows
    // min_normalized_score, columns faq_title_match × min_coverage (both rules and the
    // normalized score; "off, 0.00" is the normalized score alone, passes_gate()'s rule when
    // the registry reports it), min_score 1; cells as above on the tuning half (question ids
    // whose MD5 is even) | the held-out half.
    const std::vector<double> normalized = {0.0, 0.10, 0.12, 0.14, 0.16, 0.18, 0.20, 0.22, 0.25, 0.30};
    const std::vector<std::pair<bool, double>> columns = {
        {false, 0.0}, {false, 0.34}, {false, 0.5}, {true, 0.0}, {true, 0.34}, {true, 0.5}};
    std::cout << "\nNormalized score, half 0 (tuning) | half 1 (held out):\n\n"
                 "| min_normalized_score \\ faq_title_match, min_coverage |";
    for (const auto& [faq, c] : columns) std::cout << " " << (faq ? "on, " : "off, ") << fmt(c, "%.2f") << " |";
    std::cout << "\n|---|";
    for (std::size_t i = 0; i < columns.size(); ++i) std::cout << "---|";
    std::cout << "\n";
    for (double n : normalized) {
      std::cout << "| " << fmt(n, "%.2f") << " |";
      for (const auto& [faq, c] : columns) {
        ai::GateSettings gate;
        gate.use_normalized_score = true;
        gate.faq_title_match = faq;
        gate.min_coverage = c;
        std::cout << " ";
        for (int half : {0, 1}) {
          auto r = rates(s, [&](const Asked& a) { return legacy_gate(a, gate, n); }, half);
          std::cout << fmt(100 * r.right_rate(), "%.0f") << "/"
                    << fmt(r.covered ? 100.0 * r.answered_covered / r.covered : 0, "%.0f") << "/"
                    << fmt(100 * r.refused_rate(), "%.0f") << (half == 0 ? " \\| " : " |");
          json::object result{{"scenario", s.name}, {"min_normalized_score", n},
                              {"faq_title_match", faq}, {"min_coverage", c}, {"half", half},
                              {"answered_right", r.right_rate()},
                              {"answered_covered", r.covered ? double(r.answered_covered) / r.covered : 0},
                              {"refused_uncovered", r.refused_rate()}};
          std::cerr << "RESULT " << json::serialize(result) << std::endl;
        }
      }
      std::cout << "\n";
    }
    std::cout << "\nFAQ-title rule below a normalized score (min_normalized_score "
              << fmt(defaults.gate.min_normalized_score, "%.2f") << "), half 0 | half 1:\n\n"
              << "| faq_title_match_below | half 0 | half 1 |\n|---|---|---|\n";
    for (double below : {0.0, 0.25, 0.30, 0.35, 0.40, 0.50, 1.01}) {
      auto gate = defaults.gate;
      gate.use_normalized_score = true;
      gate.faq_title_match_below = below;
      std::cout << "| " << fmt(below, "%.2f") << " |";
      for (int half : {0, 1}) {
        auto r = rates(s, [&](const Asked& a) { return ai::passes_gate(a.relevance, gate); }, half);
        std::cout << " " << fmt(100 * r.right_rate(), "%.0f") << " / "
                  << fmt(r.covered ? 100.0 * r.answered_covered / r.covered : 0, "%.0f") << " / "
                  << fmt(100 * r.refused_rate(), "%.0f") << " |";
      }
      std::cout << "\n";
    }
    // The sentence-encoder similarity acceptance (GateSettings::min_semantic_similarity) on top
    // of the default gate: cells right / answered / refused %, half 0 | half 1; "balanced" is
    // min(covered answered from the right entry, uncovered refused).
    if (backfill) {
      std::cout << "\nSemantic acceptance (min_semantic_similarity; default gate otherwise), half 0 | half 1:\n\n"
                << "| min_semantic_similarity | half 0 | half 1 | balanced half 0 / half 1 |\n|---|---|---|---|\n";
      for (double t : {0.0, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9}) {
        auto gate = defaults.gate;
        gate.min_semantic_similarity = t;
        std::cout << "| " << (t == 0 ? std::string("off") : fmt(t, "%.2f")) << " |";
        double balanced[2];
        for (int half : {0, 1}) {
          auto r = rates(s, [&](const Asked& a) { return ai::passes_gate(a.relevance, gate); }, half);
          std::cout << " " << fmt(100 * r.right_rate(), "%.1f") << " / "
                    << fmt(r.covered ? 100.0 * r.answered_covered / r.covered : 0, "%.1f") << " / "
                    << fmt(100 * r.refused_rate(), "%.1f") << " |";
          balanced[half] = 100 * std::min(r.right_rate(), r.refused_rate());
          json::object result{{"scenario", s.name}, {"min_semantic_similarity", t}, {"half", half},
                              {"answered_right", r.right_rate()},
                              {"answered_covered", r.covered ? double(r.answered_covered) / r.covered : 0},
                              {"refused_uncovered", r.refused_rate()}};
          std::cerr << "RESULT " << json::serialize(result) << std::endl;
        }
        std::cout << " " << fmt(balanced[0], "%.1f") << " / " << fmt(balanced[1], "%.1f") << " |\n";
      }
    }
    for (int half : {-1, 0, 1}) {
      auto r = rates(s, [&](const Asked& a) { return ai::passes_gate(a.relevance, defaults.gate); }, half);
      std::cout << (half < 0 ? "\nDefault gate (min_score " : "Default gate, half ")
                << (half < 0 ? fmt(defaults.gate.min_score, "%.1f") + ", min_normalized_score " +
                                   fmt(defaults.gate.min_normalized_score, "%.2f")
                             : std::to_string(half))
                << "): covered answered with the right entry " << fmt(100 * r.right_rate(), "%.1f")
                << "% (answered at all "
                << fmt(r.covered ? 100.0 * r.answered_covered / r.covered : 0, "%.1f")
                << "%), uncovered refused " << fmt(100 * r.refused_rate(), "%.1f") << "%\n";
    }
  }
  return 0;
} catch (const std::exception& e) {
  std::cerr << "bench_answer_gate: " << e.what() << std::endl;
  return 1;
}
