// bench_retrieval: retrieval quality of bot-registry's SearchKnowledge on real FAQ data
// (docs/benchmarks.md "Knowledge retrieval"). For each dataset it creates a bot in a fresh
// PostgreSQL database, adds every knowledge entry as a document through BotRegistry (the
// service's own extraction, chunking and indexing), then asks every question and checks whether
// the top chunks come from a gold document. It measures the same index ranked by PostgreSQL's
// ts_rank as the baseline.
//
// Input: the JSONL shape of ../shared/data (docs.jsonl {id, title, text, lang},
// questions.jsonl {id, question, gold_ids, lang}).
// Output: a markdown table on stdout, one JSON object per dataset on stderr lines "RESULT {...}".
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <time.h>
#include <unistd.h>

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
#include "migrations.hpp"
#include "search_query.hpp"

namespace {

using namespace botfactory;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr int kDepth = 5;  // recall@5 and MRR@5

/// A dataset: a folder of ../shared/data restricted to one language.
struct Dataset {
  std::string name;
  std::string folder;
  std::string language;
  /// Index the answers only (every title "-"): the Mozilla FAQ's questions are its titles
  /// verbatim, so with titles the task is trivial (its README, "Caveats").
  bool answers_only = false;
};

const std::vector<Dataset> kDatasets = {
    {"covid-faq (en)", "covid-faq-deepset", "en"},
    {"xquad (en)", "xquad-en-ru", "en"},
    {"xquad (ru)", "xquad-en-ru", "ru"},
    {"mozilla-faq (en)", "mozilla-faq", "en"},
    {"mozilla-faq (ru)", "mozilla-faq", "ru"},
    {"mozilla-faq (uz)", "mozilla-faq", "uz"},
    {"mozilla-faq answers-only (en)", "mozilla-faq", "en", true},
    {"mozilla-faq answers-only (ru)", "mozilla-faq", "ru", true},
    {"mozilla-faq answers-only (uz)", "mozilla-faq", "uz", true},
};

/// Registry limits: none.
class NoLimits : public registry::EntitlementsClient {
 public:
  registry::PlanLimits limits(const std::string&) override { return {}; }
};

std::vector<json::object> read_jsonl(const std::string& path, const std::string& language) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<json::object> out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    auto object = json::parse(line).as_object();
    if (object.at("lang").as_string() == language) out.push_back(std::move(object));
  }
  return out;
}

/// Where each question's gold documents landed in a ranking.
struct Scores {
  int questions = 0;
  int hit_at_1 = 0;
  int hit_at_k = 0;
  int half_questions[2] = {0, 0};  // by bench::question_half() of the question id
  int half_hit_at_1[2] = {0, 0};
  int half_hit_at_k[2] = {0, 0};
  double half_reciprocal_rank[2] = {0, 0};
  double reciprocal_rank = 0;
  std::vector<double> latency_ms;

  /// `ranked`: document ids, best first (repeats are skipped: several chunks of one document);
  /// `half`: 0 or 1, the question's half (bench::question_half()).
  void add(const std::vector<std::string>& ranked, const std::set<std::string>& gold, int half) {
    ++questions;
    ++half_questions[half];
    if (!ranked.empty() && gold.count(ranked.front())) ++half_hit_at_1[half];
    std::vector<std::string> seen;
    for (const auto& id : ranked) {
      if (std::find(seen.begin(), seen.end(), id) != seen.end()) continue;
      seen.push_back(id);
      if (seen.size() > kDepth) break;
      if (gold.count(id)) {
        if (seen.size() == 1) ++hit_at_1;
        ++hit_at_k;
        ++half_hit_at_k[half];
        reciprocal_rank += 1.0 / static_cast<double>(seen.size());
        half_reciprocal_rank[half] += 1.0 / static_cast<double>(seen.size());
        break;
      }
    }
  }
  double recall_at_1() const { return questions ? double(hit_at_1) / questions : 0; }
  /// recall@1 over the questions of one half (0: tuning, 1: held out).
  double recall_at_1(int half) const {
    return half_questions[half] ? double(half_hit_at_1[half]) / half_questions[half] : 0;
  }
  double recall_at_k() const { return questions ? double(hit_at_k) / questions : 0; }
  double mrr() const { return questions ? reciprocal_rank / questions : 0; }
  /// recall@5 and MRR@5 over one half.
  double recall_at_k(int half) const {
    return half_questions[half] ? double(half_hit_at_k[half]) / half_questions[half] : 0;
  }
  double mrr(int half) const { return half_questions[half] ? half_reciprocal_rank[half] / half_questions[half] : 0; }
  /// The `q` quantile (0..1) of the search latencies, ms.
  double quantile_ms(double q) {
    if (latency_ms.empty()) return 0;
    std::sort(latency_ms.begin(), latency_ms.end());
    auto i = static_cast<std::size_t>(q * static_cast<double>(latency_ms.size() - 1) + 0.5);
    return latency_ms[i];
  }
};

// The baseline: the same chunks and the same OR query (folded like SearchKnowledge's), ranked by ts_rank (default weights
// {0.1, 0.2, 0.4, 1.0}: the title (A) counts 2.5× the text (B)).
constexpr const char* kTsRank =
    "WITH lexemes AS (SELECT tsvector_to_array(to_tsvector($2::regconfig, registry.search_text("
    "(SELECT language FROM registry.bots WHERE id = $1::uuid), $3))) AS words), "
    "query AS (SELECT array_to_string(ARRAY(SELECT quote_literal(w) FROM unnest(words) AS w), "
    "' | ')::tsquery AS q FROM lexemes WHERE cardinality(words) > 0) "
    "SELECT c.document_id FROM query, registry.chunks c "
    "WHERE c.bot_id = $1::uuid AND c.tsv @@ query.q "
    "ORDER BY ts_rank(c.tsv, query.q) DESC, c.document_id, c.ordinal LIMIT $4::int";

struct Options {
  std::string pg = "host=127.0.0.1 user=postgres dbname=postgres";
  std::string data = "../shared/data";
  std::string only;
  int scale_chunks = 10000;  // chunks of the latency bot (0: skip)
  bool keep = false;  // keep the database (to look at the index or plans afterwards)
  std::string vectors;  // word vectors (REGISTRY_WORD_VECTORS' file): adds the "+ vectors" columns
  std::string sentence_encoder;  // REGISTRY_SENTENCE_ENCODER's file: adds the "+ sentence" table
};

/// The command line (CLI11); exits with a message on bad input.
Options parse(int argc, char** argv) {
  Options o;
  CLI::App app{"Retrieval quality of SearchKnowledge on the shared FAQ data (docs/benchmarks.md)",
               "bench_retrieval"};
  app.add_option("--pg", o.pg, "libpq conninfo of a maintenance database (a private one is made)");
  app.add_option("--data", o.data, "the datasets folder (../shared/data)")
      ->check(CLI::ExistingDirectory);
  app.add_option("--only", o.only, "run only the datasets whose name contains this");
  app.add_option("--scale-chunks", o.scale_chunks,
                 "chunks of the bot for the search latency run (0 skips it)");
  app.add_flag("--keep", o.keep, "keep the database afterwards");
  app.add_option("--sentence-encoder", o.sentence_encoder,
                 "sentence encoder file (tools/sentence-encoder/use-lite-en.bfse): embeds every chunk with the "
                 "backfill worker, then also ranks with the sentence-encoder re-rank (the shipped configuration)");
  app.add_option("--vectors", o.vectors,
                 "word vectors file (tools/word-vectors/en-100d.bfwv): also rank with the semantic re-rank");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  return o;
}

/// The first `n` code points of UTF-8 `text` (registry titles are 1..200 code points).
std::string first_code_points(const std::string& text, std::size_t n) {
  return text.substr(0, botfactory::common::utf8_offset(text, n));
}

std::string fmt(double v, const char* f = "%.3f") {
  char buf[32];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

/// A bot in `language` holding `docs` as plain-text documents added through BotRegistry.
struct LoadedBot {
  registry::v1::Bot bot;
  std::map<std::string, std::string> dataset_id;  // registry document id -> dataset doc id
};

LoadedBot load_bot(registry::BotRegistry& registry, const std::string& tenant,
                   const std::string& name, const std::string& language,
                   const std::vector<json::object>& docs, bool answers_only) {
  registry::v1::CreateBotRequest create;
  create.set_tenant_id(tenant);
  create.set_name(name);
  create.set_language(language);
  LoadedBot loaded{registry.create_bot(create), {}};
  for (const auto& d : docs) {
    registry::v1::AddDocumentRequest add;
    add.set_tenant_id(tenant);
    add.set_bot_id(loaded.bot.id());
    std::string title(d.at("title").as_string());
    add.set_title(answers_only ? std::string("-") : first_code_points(title, 200));
    add.set_format(registry::v1::DOCUMENT_FORMAT_TEXT);
    add.set_body(std::string(d.at("text").as_string()));
    loaded.dataset_id[registry.add_document(add).id()] = std::string(d.at("id").as_string());
  }
  return loaded;
}

/// SearchKnowledge's chunks for `question` (limit 20).
registry::v1::SearchKnowledgeResponse search(registry::BotRegistry& registry,
                                             const std::string& tenant,
                                             const std::string& bot_id,
                                             const std::string& question) {
  registry::v1::SearchKnowledgeRequest request;
  request.set_tenant_id(tenant);
  request.set_bot_id(bot_id);
  request.set_query(question);
  request.set_limit(20);  // several chunks may come from one document
  return registry.search_knowledge(request);
}

/// True when two answers list the same chunks in the same order with the same scores (to 1e-9).
bool same_answer(const registry::v1::SearchKnowledgeResponse& a,
                 const registry::v1::SearchKnowledgeResponse& b) {
  if (a.chunks_size() != b.chunks_size()) return false;
  for (int i = 0; i < a.chunks_size(); ++i) {
    const auto &x = a.chunks(i), &y = b.chunks(i);
    if (x.chunk_id() != y.chunk_id() ||
        std::abs(x.score() - y.score()) > 1e-9 * std::max(1.0, std::abs(x.score()))) {
      return false;
    }
  }
  return true;
}

/// CPU seconds used so far by this process and by the PostgreSQL backends serving `database`
/// (utime + stime from /proc/<pid>/stat; the server runs on this machine), for CPU per search.
double cpu_seconds(pg::Connection& sql) {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  double total = static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  auto pids = sql.exec(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
      "AND backend_type = 'client backend' AND pid <> pg_backend_pid()");
  static const double kTick = static_cast<double>(sysconf(_SC_CLK_TCK));
  for (int r = 0; r < pids.rows(); ++r) {
    std::ifstream in("/proc/" + pids.str(r, 0) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
    }
    total += ticks / kTick;
  }
  return total;
}

// The out-of-knowledge guard: the knowledge base holds every other entry of the dataset (the
// even-numbered lines of docs.jsonl); a question whose gold entry is held out is "uncovered".
// An answerer that answers only when the best chunk's score reaches a threshold says "I don't
// know" to an uncovered question below it, and answers a covered one at or above it.
const std::vector<Dataset> kGuardDatasets = {
    {"covid-faq (en)", "covid-faq-deepset", "en"},
    {"xquad (en)", "xquad-en-ru", "en"},
    {"mozilla-faq answers-only (en)", "mozilla-faq", "en", true},
};

void guard_curve(registry::BotRegistry& registry, const std::string& tenant,
                 const std::string& data, const Dataset& ds) {
  auto all_docs = read_jsonl(data + "/" + ds.folder + "/docs.jsonl", ds.language);
  auto questions = read_jsonl(data + "/" + ds.folder + "/questions.jsonl", ds.language);
  std::vector<json::object> kept;
  std::set<std::string> kept_ids;
  for (std::size_t i = 0; i < all_docs.size(); i += 2) {
    kept.push_back(all_docs[i]);
    kept_ids.insert(std::string(all_docs[i].at("id").as_string()));
  }
  auto [bot, dataset_id] =
      load_bot(registry, tenant, "guard " + ds.name, ds.language, kept, ds.answers_only);
  struct Asked {
    bool covered;
    bool right;  // the best chunk is from a gold entry
    double score;  // the best chunk's score, 0 when nothing matched
  };
  std::vector<Asked> asked;
  for (const auto& q : questions) {
    std::set<std::string> gold;
    for (const auto& g : q.at("gold_ids").as_array()) gold.insert(std::string(g.as_string()));
    bool covered = std::any_of(gold.begin(), gold.end(),
                               [&](const std::string& id) { return kept_ids.count(id) > 0; });
    auto response = search(registry, tenant, bot.id(), std::string(q.at("question").as_string()));
    Asked a{covered, false, 0};
    if (response.chunks_size() > 0) {
      a.score = response.chunks(0).score();
      a.right = gold.count(dataset_id[response.chunks(0).document_id()]) > 0;
    }
    asked.push_back(a);
  }
  auto covered = std::count_if(asked.begin(), asked.end(), [](auto& a) { return a.covered; });
  auto uncovered = static_cast<long>(asked.size()) - covered;
  std::cout << "\nOut-of-knowledge guard, " << ds.name << ": " << kept.size() << " of "
            << all_docs.size() << " entries indexed, " << covered << " covered and " << uncovered
            << " uncovered questions\n\n| score threshold | uncovered: says I don't know | "
               "covered: answers | covered: answers from the right entry |\n|---|---|---|---|\n";
  json::array curve;
  // The score is BM25F + 0.7 × the 4-gram BM25 (V007), so tens rather than units.
  for (double t : {0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 50.0, 60.0, 80.0}) {
    long refused = 0, answered = 0, right = 0;
    for (const auto& a : asked) {
      bool answers = a.score > 0 && a.score >= t;
      if (!a.covered && !answers) ++refused;
      if (a.covered && answers) ++answered, right += a.right;
    }
    auto share = [](long n, long of) { return of ? double(n) / double(of) : 0.0; };
    std::cout << "| " << fmt(t, "%.1f") << " | " << fmt(share(refused, uncovered)) << " | "
              << fmt(share(answered, covered)) << " | " << fmt(share(right, covered)) << " |\n";
    curve.push_back(json::object{{"threshold", t},
                                 {"uncovered_refused", share(refused, uncovered)},
                                 {"covered_answered", share(answered, covered)},
                                 {"covered_answered_right", share(right, covered)}});
  }
  std::cout << std::flush;
  json::object result{{"guard", ds.name}, {"covered", covered}, {"uncovered", uncovered},
                      {"curve", curve}};
  std::cerr << "RESULT " << json::serialize(result) << std::endl;
}

// Search latency at `chunks` chunks in one bot: XQuAD English paragraphs added again and again
// (the same text, so postings grow with the copies) until the bot holds `chunks` chunks, then
// every XQuAD English question once.
/// Every pending English chunk and title embedded by the backfill worker (to completion), for
/// the sentence-encoder columns. Returns {texts embedded, seconds}.
std::pair<std::size_t, double> embed_all(registry::EmbeddingBackfill& backfill) {
  auto started = Clock::now();
  auto n = backfill.run_until_idle();
  return {n, std::chrono::duration<double>(Clock::now() - started).count()};
}

// The scale bot repeats XQuAD en's paragraphs: their embeddings are copied by text from chunks
// and titles already embedded (the encoder is deterministic: the same bytes), the rest embedded.
constexpr const char* kCopyChunkEmbeddings =
    "WITH known AS (SELECT DISTINCT ON (c.text) c.text, e.embedding FROM registry.chunks c "
    "JOIN registry.chunk_embeddings e ON e.chunk_id = c.id WHERE e.embedding IS NOT NULL) "
    "UPDATE registry.chunk_embeddings e SET embedding = k.embedding FROM registry.chunks c, known k "
    "WHERE c.id = e.chunk_id AND k.text = c.text AND e.embedding IS NULL AND c.bot_id = $1::uuid";
constexpr const char* kCopyTitleEmbeddings =
    "WITH known AS (SELECT DISTINCT ON (d.title) d.title, t.embedding FROM registry.documents d "
    "JOIN registry.title_embeddings t ON t.document_id = d.id WHERE t.embedding IS NOT NULL) "
    "UPDATE registry.title_embeddings t SET embedding = k.embedding FROM registry.documents d, known k "
    "WHERE d.id = t.document_id AND k.title = d.title AND t.embedding IS NULL AND d.bot_id = $1::uuid";

void scale_latency(registry::BotRegistry& registry, registry::BotRegistry& sql_registry,
                   registry::BotRegistry* semantic_registry, registry::BotRegistry* sentence_registry,
                   registry::EmbeddingBackfill* backfill, pg::Connection& sql, const std::string& tenant,
                   const std::string& data, int chunks) {
  auto docs = read_jsonl(data + "/xquad-en-ru/docs.jsonl", "en");
  auto questions = read_jsonl(data + "/xquad-en-ru/questions.jsonl", "en");
  auto loaded = load_bot(registry, tenant, "scale", "en", docs, false);
  auto count = [&] {
    return sql.exec("SELECT count(*) FROM registry.chunks WHERE bot_id = $1::uuid",
                    {loaded.bot.id()}).int64(0, 0);
  };
  auto started_load = Clock::now();
  for (auto n = count(); n < chunks; n = count()) {
    for (const auto& d : docs) {
      registry::v1::AddDocumentRequest add;
      add.set_tenant_id(tenant);
      add.set_bot_id(loaded.bot.id());
      add.set_title(first_code_points(std::string(d.at("title").as_string()), 200));
      add.set_format(registry::v1::DOCUMENT_FORMAT_TEXT);
      add.set_body(std::string(d.at("text").as_string()));
      registry.add_document(add);
    }
  }
  double load_s = std::chrono::duration<double>(Clock::now() - started_load).count();
  // What autovacuum does to a table after bulk inserts: statistics, and the visibility map
  // that lets the postings be read by an index-only scan.
  sql.exec("VACUUM ANALYZE registry.chunks");
  sql.exec("VACUUM ANALYZE registry.chunk_terms");
  std::string embedded_note;
  if (backfill) {
    auto copied = sql.exec(kCopyChunkEmbeddings, {loaded.bot.id()}).affected() +
                  sql.exec(kCopyTitleEmbeddings, {loaded.bot.id()}).affected();
    auto [n, s] = embed_all(*backfill);
    embedded_note = "; embeddings: " + std::to_string(copied) + " copied by text, " + std::to_string(n) +
                    " embedded in " + fmt(s, "%.1f") + " s";
    sql.exec("VACUUM ANALYZE registry.chunk_embeddings");
  }
  // The in-process index (the first search after a change would queue its load).
  auto index_started = Clock::now();
  auto index = registry.search_cache() ? registry.search_cache()->load_now(loaded.bot.id()) : nullptr;
  if (semantic_registry && semantic_registry->search_cache()) semantic_registry->search_cache()->load_now(loaded.bot.id());
  if (sentence_registry && sentence_registry->search_cache()) sentence_registry->search_cache()->load_now(loaded.bot.id());
  double index_load_s = std::chrono::duration<double>(Clock::now() - index_started).count();
  auto n = count();
  std::cout << "\nSearch latency at " << n << " chunks in one bot (XQuAD en, " << questions.size()
            << " questions; loaded in " << fmt(load_s, "%.0f") << " s; in-process index "
            << (index ? fmt(static_cast<double>(index->bytes()) / (1 << 20), "%.1f") + " MiB, loaded in " +
                            fmt(index_load_s, "%.2f") + " s"
                      : std::string("not loaded"))
            << embedded_note << ")\n\n| path | p50 ms | p90 ms | p99 ms | max ms | CPU ms per search (bench + PostgreSQL) |\n"
               "|---|---|---|---|---|---|\n";
  // Each path in turn, twice (SQL, index, SQL, index), so load changes on the shared machine
  // fall on both.
  Scores latency[4];
  double cpu[4] = {0, 0, 0, 0};
  int agree = 0;
  // 0: SQL, 1: in-process index, 2: + word vectors, 3: + sentence encoder (question embedded)
  std::vector<int> paths = {0, 1};
  if (semantic_registry) paths.push_back(2);
  if (sentence_registry) paths.push_back(3);
  for (std::size_t round = 0; round < 2 * paths.size(); ++round) {
    int path = paths[round % paths.size()];
    auto& reg = path == 0 ? sql_registry : path == 1 ? registry : path == 2 ? *semantic_registry : *sentence_registry;
    for (const auto& q : questions) {  // warm-up: plan cache, buffers
      search(reg, tenant, loaded.bot.id(), std::string(q.at("question").as_string()));
      if (&q - &questions[0] >= 50) break;
    }
    double cpu_before = cpu_seconds(sql);
    for (const auto& q : questions) {
      auto started = Clock::now();
      search(reg, tenant, loaded.bot.id(), std::string(q.at("question").as_string()));
      latency[path].latency_ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - started).count());
    }
    cpu[path] += cpu_seconds(sql) - cpu_before;
  }
  for (const auto& q : questions) {
    std::string question(q.at("question").as_string());
    agree += same_answer(search(registry, tenant, loaded.bot.id(), question),
                         search(sql_registry, tenant, loaded.bot.id(), question));
  }
  json::object result{{"scale_chunks", n}, {"load_s", load_s}, {"index_load_s", index_load_s},
                      {"index_bytes", index ? index->bytes() : 0},
                      {"same_answers", agree}, {"questions", questions.size()}};
  for (int path : paths) {
    auto& l = latency[path];
    double cpu_ms = 1000 * cpu[path] / static_cast<double>(l.latency_ms.size());
    std::cout << "| "
              << (path == 0   ? "SQL (KnowledgeRepository::search)"
                  : path == 1 ? "in-process index"
                  : path == 2 ? "in-process index + word vectors"
                              : "in-process index + sentence encoder (question embedded)")
              << " | " << fmt(l.quantile_ms(0.5), "%.2f") << " | " << fmt(l.quantile_ms(0.9), "%.2f")
              << " | " << fmt(l.quantile_ms(0.99), "%.2f") << " | " << fmt(l.quantile_ms(1.0), "%.2f")
              << " | " << fmt(cpu_ms, "%.2f") << " |\n";
    std::string key = path == 0 ? "sql_" : path == 1 ? "index_" : path == 2 ? "vectors_" : "sentence_";
    result[key + "p50_search_ms"] = l.quantile_ms(0.5);
    result[key + "p90_search_ms"] = l.quantile_ms(0.9);
    result[key + "p99_search_ms"] = l.quantile_ms(0.99);
    result[key + "max_search_ms"] = l.quantile_ms(1.0);
    result[key + "cpu_ms_per_search"] = cpu_ms;
  }
  std::cout << "\nSame chunks and scores from both paths (top 20): " << agree << " of "
            << questions.size() << " questions" << std::endl;
  std::cerr << "RESULT " << json::serialize(result) << std::endl;
}

}  // namespace

int main(int argc, char** argv) try {
  Options options = parse(argc, argv);
  bench::ScratchDatabase scratch(options.pg, "bench_retrieval_", options.keep);  // dropped at the end
  const std::string& conninfo = scratch.conninfo();
  {
    pg::Connection c(conninfo);
    pg::migrate(c, "registry", migrations::registry_migrations());
  }
  auto pool = std::make_shared<pg::Pool>(conninfo, 2);
  registry::BotRegistry registry(pool, std::make_shared<NoLimits>());
  // The same service with the in-process index off: the SQL search, to check both agree.
  registry::RegistrySettings sql_only;
  sql_only.search_cache_bytes = 0;
  registry::BotRegistry sql_registry(pool, std::make_shared<NoLimits>(), sql_only);
  // With word vectors (--vectors): the semantic re-rank after either path, checked the same way.
  registry::RegistrySettings with_vectors, sql_with_vectors = sql_only;
  if (!options.vectors.empty()) {
    with_vectors.word_vectors = registry::WordVectors::load(options.vectors);
    sql_with_vectors.word_vectors = with_vectors.word_vectors;
    std::cout << "Word vectors " << options.vectors << ": " << with_vectors.word_vectors->size() << " words, "
              << fmt(static_cast<double>(with_vectors.word_vectors->bytes()) / (1 << 20), "%.1f") << " MiB\n\n";
  }
  registry::BotRegistry semantic_registry(pool, std::make_shared<NoLimits>(), with_vectors);
  registry::BotRegistry sql_semantic_registry(pool, std::make_shared<NoLimits>(), sql_with_vectors);
  const bool vectors = !options.vectors.empty();
  // With the sentence encoder (--sentence-encoder): the shipped configuration. Every chunk is
  // embedded by the backfill worker before the questions are asked.
  registry::RegistrySettings with_sentence, sql_with_sentence = sql_only;
  std::unique_ptr<registry::EmbeddingBackfill> backfill;
  if (!options.sentence_encoder.empty()) {
    with_sentence.sentence_encoder = registry::SentenceEncoder::load(options.sentence_encoder);
    sql_with_sentence.sentence_encoder = with_sentence.sentence_encoder;
    backfill = std::make_unique<registry::EmbeddingBackfill>(pool, with_sentence.sentence_encoder,
                                                             registry::EmbeddingBackfillSettings{});
    std::cout << "Sentence encoder " << options.sentence_encoder << ": "
              << fmt(static_cast<double>(with_sentence.sentence_encoder->bytes()) / (1 << 20), "%.1f") << " MiB\n\n";
  }
  registry::BotRegistry sentence_registry(pool, std::make_shared<NoLimits>(), with_sentence);
  registry::BotRegistry sql_sentence_registry(pool, std::make_shared<NoLimits>(), sql_with_sentence);
  const bool sentence = backfill != nullptr;
  std::string sentence_table;
  pg::Connection sql(conninfo);
  std::string tenant = sql.exec("SELECT gen_random_uuid()::text").str(0, 0);

  std::cout << "| dataset | documents | chunks | questions | ingest s | ts_rank recall@1 | "
               "BM25F recall@1 | BM25F recall@1 half 0 / half 1 | ts_rank recall@5 | "
               "BM25F recall@5 | ts_rank MRR@5 | BM25F MRR@5 | median search ms | p99 search ms | "
               "index = SQL |"
            << (vectors ? " + vectors recall@1 | half 0 / half 1 | recall@5 | MRR@5 | median ms | p99 ms | index = SQL |" : "")
            << "\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
            << (vectors ? "---|---|---|---|---|---|---|" : "") << "\n";
  for (const auto& ds : kDatasets) {
    if (!options.only.empty() && ds.name.find(options.only) == std::string::npos) continue;
    auto docs = read_jsonl(options.data + "/" + ds.folder + "/docs.jsonl", ds.language);
    auto questions = read_jsonl(options.data + "/" + ds.folder + "/questions.jsonl", ds.language);

    auto started_ingest = Clock::now();
    auto [bot, dataset_id] =
        load_bot(registry, tenant, "eval " + ds.name, ds.language, docs, ds.answers_only);
    double ingest_s = std::chrono::duration<double>(Clock::now() - started_ingest).count();
    auto chunks = sql.exec("SELECT count(*) FROM registry.chunks WHERE bot_id = $1::uuid",
                           {bot.id()}).int64(0, 0);
    // SearchKnowledge answers from the bot's in-process index (loaded here rather than by the
    // first search's miss); every answer is checked against the SQL search.
    if (registry.search_cache()) registry.search_cache()->load_now(bot.id());
    if (vectors && semantic_registry.search_cache()) semantic_registry.search_cache()->load_now(bot.id());
    int agree = 0, agree_semantic = 0;

    Scores bm25, ts_rank, semantic;
    const char* config = registry::text_search_config(ds.language);
    for (const auto& q : questions) {
      std::set<std::string> gold;
      for (const auto& g : q.at("gold_ids").as_array()) gold.insert(std::string(g.as_string()));
      std::string question(q.at("question").as_string());
      int half = bench::question_half(sql, std::string(q.at("id").as_string()));

      auto started = Clock::now();
      auto response = search(registry, tenant, bot.id(), question);
      bm25.latency_ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - started).count());
      std::vector<std::string> ranked;
      for (const auto& c : response.chunks()) ranked.push_back(dataset_id[c.document_id()]);
      bm25.add(ranked, gold, half);
      agree += same_answer(response, search(sql_registry, tenant, bot.id(), question));
      if (vectors) {
        started = Clock::now();
        auto with = search(semantic_registry, tenant, bot.id(), question);
        semantic.latency_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
        ranked.clear();
        for (const auto& c : with.chunks()) ranked.push_back(dataset_id[c.document_id()]);
        semantic.add(ranked, gold, half);
        agree_semantic += same_answer(with, search(sql_semantic_registry, tenant, bot.id(), question));
      }

      ranked.clear();
      auto words = registry::join_words(registry::query_words(question));
      auto rows = sql.exec(kTsRank, {bot.id(), std::string(config), words, "20"});
      for (int r = 0; r < rows.rows(); ++r) ranked.push_back(dataset_id[rows.str(r, 0)]);
      ts_rank.add(ranked, gold, half);
    }
    std::cout << "| " << ds.name << " | " << docs.size() << " | " << chunks << " | "
              << questions.size() << " | " << fmt(ingest_s, "%.2f") << " | "
              << fmt(ts_rank.recall_at_1()) << " | " << fmt(bm25.recall_at_1()) << " | "
              << fmt(bm25.recall_at_1(0)) << " / " << fmt(bm25.recall_at_1(1)) << " | "
              << fmt(ts_rank.recall_at_k()) << " | "
              << fmt(bm25.recall_at_k()) << " | " << fmt(ts_rank.mrr()) << " | "
              << fmt(bm25.mrr()) << " | " << fmt(bm25.quantile_ms(0.5), "%.2f") << " | "
              << fmt(bm25.quantile_ms(0.99), "%.2f") << " | " << agree << "/" << questions.size()
              << " |";
    if (vectors) {
      std::cout << " " << fmt(semantic.recall_at_1()) << " | " << fmt(semantic.recall_at_1(0)) << " / "
                << fmt(semantic.recall_at_1(1)) << " | " << fmt(semantic.recall_at_k()) << " | "
                << fmt(semantic.mrr()) << " | " << fmt(semantic.quantile_ms(0.5), "%.2f") << " | "
                << fmt(semantic.quantile_ms(0.99), "%.2f") << " | " << agree_semantic << "/" << questions.size()
                << " |";
    }
    std::cout << std::endl;
    json::object result{{"dataset", ds.name},
                        {"documents", docs.size()},
                        {"chunks", chunks},
                        {"questions", questions.size()},
                        {"ts_rank_recall_at_1", ts_rank.recall_at_1()},
                        {"ingest_s", ingest_s},
                        {"bm25f_recall_at_1", bm25.recall_at_1()},
                        {"bm25f_recall_at_1_half0", bm25.recall_at_1(0)},
                        {"bm25f_recall_at_1_half1", bm25.recall_at_1(1)},
                        {"ts_rank_recall_at_5", ts_rank.recall_at_k()},
                        {"bm25f_recall_at_5", bm25.recall_at_k()},
                        {"ts_rank_mrr_at_5", ts_rank.mrr()},
                        {"bm25f_mrr_at_5", bm25.mrr()},
                        {"median_search_ms", bm25.quantile_ms(0.5)},
                        {"p99_search_ms", bm25.quantile_ms(0.99)},
                        {"index_equals_sql", agree}};
    if (vectors) {
      result["vectors_recall_at_1"] = semantic.recall_at_1();
      result["vectors_recall_at_1_half0"] = semantic.recall_at_1(0);
      result["vectors_recall_at_1_half1"] = semantic.recall_at_1(1);
      result["vectors_recall_at_5"] = semantic.recall_at_k();
      result["vectors_mrr_at_5"] = semantic.mrr();
      result["vectors_median_search_ms"] = semantic.quantile_ms(0.5);
      result["vectors_p99_search_ms"] = semantic.quantile_ms(0.99);
      result["vectors_index_equals_sql"] = agree_semantic;
    }
    if (sentence) {
      // The shipped configuration: every chunk and title embedded, then every question again.
      auto [embedded, embed_s] = embed_all(*backfill);
      if (sentence_registry.search_cache()) sentence_registry.search_cache()->load_now(bot.id());
      Scores after;
      int agree_sentence = 0;
      for (const auto& q : questions) {
        std::set<std::string> gold;
        for (const auto& g : q.at("gold_ids").as_array()) gold.insert(std::string(g.as_string()));
        std::string question(q.at("question").as_string());
        int half = bench::question_half(sql, std::string(q.at("id").as_string()));
        auto started = Clock::now();
        auto with = search(sentence_registry, tenant, bot.id(), question);
        after.latency_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
        std::vector<std::string> ranked;
        for (const auto& c : with.chunks()) ranked.push_back(dataset_id[c.document_id()]);
        after.add(ranked, gold, half);
        agree_sentence += same_answer(with, search(sql_sentence_registry, tenant, bot.id(), question));
      }
      auto halves = [](double h0, double h1, double all) {
        return fmt(h0) + " / " + fmt(h1) + " (" + fmt(all) + ")";
      };
      sentence_table += "| " + ds.name + " | " + halves(bm25.recall_at_1(0), bm25.recall_at_1(1), bm25.recall_at_1()) +
                        " → **" + halves(after.recall_at_1(0), after.recall_at_1(1), after.recall_at_1()) + "** | " +
                        halves(bm25.recall_at_k(0), bm25.recall_at_k(1), bm25.recall_at_k()) + " → " +
                        halves(after.recall_at_k(0), after.recall_at_k(1), after.recall_at_k()) + " | " +
                        halves(bm25.mrr(0), bm25.mrr(1), bm25.mrr()) + " → " +
                        halves(after.mrr(0), after.mrr(1), after.mrr()) + " | " + fmt(after.quantile_ms(0.5), "%.2f") +
                        " | " + fmt(after.quantile_ms(0.99), "%.2f") + " | " + std::to_string(agree_sentence) + "/" +
                        std::to_string(questions.size()) + " | " + std::to_string(embedded) + " in " +
                        fmt(embed_s, "%.1f") + " s (" +
                        fmt(embed_s > 0 ? static_cast<double>(embedded) / embed_s : 0, "%.1f") + "/s) |\n";
      result["sentence_recall_at_1"] = after.recall_at_1();
      result["sentence_recall_at_1_half0"] = after.recall_at_1(0);
      result["sentence_recall_at_1_half1"] = after.recall_at_1(1);
      result["sentence_recall_at_5_half0"] = after.recall_at_k(0);
      result["sentence_recall_at_5_half1"] = after.recall_at_k(1);
      result["sentence_recall_at_5"] = after.recall_at_k();
      result["sentence_mrr_at_5_half0"] = after.mrr(0);
      result["sentence_mrr_at_5_half1"] = after.mrr(1);
      result["sentence_mrr_at_5"] = after.mrr();
      result["sentence_median_search_ms"] = after.quantile_ms(0.5);
      result["sentence_p99_search_ms"] = after.quantile_ms(0.99);
      result["sentence_index_equals_sql"] = agree_sentence;
      result["embedded_texts"] = embedded;
      result["embed_s"] = embed_s;
    }
    std::cerr << "RESULT " << json::serialize(result) << std::endl;
  }
  if (sentence && !sentence_table.empty()) {
    std::cout << "\nSentence-encoder re-rank (every chunk and title embedded by the backfill first; lexical → "
                 "re-ranked; cells half 0 / half 1 (all); search ms include the question's embedding):\n\n"
                 "| dataset | recall@1 | recall@5 | MRR@5 | median ms | p99 ms | index = SQL | embedded (chunks + titles) |\n"
                 "|---|---|---|---|---|---|---|---|\n"
              << sentence_table << std::flush;
  }
  for (const auto& ds : kGuardDatasets) {
    if (!options.only.empty() && ("guard " + ds.name).find(options.only) == std::string::npos) {
      continue;
    }
    guard_curve(registry, tenant, options.data, ds);
  }
  if (options.scale_chunks > 0 &&
      (options.only.empty() || std::string("scale").find(options.only) != std::string::npos)) {
    scale_latency(registry, sql_registry, vectors ? &semantic_registry : nullptr,
                  sentence ? &sentence_registry : nullptr, backfill.get(), sql, tenant, options.data,
                  options.scale_chunks);
  }
  return 0;
} catch (const std::exception& e) {
  std::cerr << "bench_retrieval: " << e.what() << std::endl;
  return 1;
}
