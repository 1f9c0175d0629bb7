#include "search_index.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace botfactory::registry {
namespace {

// The constants of KnowledgeRepository::search's SQL (kSearch), written as the SQL evaluates
// them: numeric literals become float8 when they meet a float8, and `0.7 * 2.2` is folded in
// numeric (1.54 exactly) before it multiplies a float8.
constexpr double kK1 = 1.2;
constexpr double kB = 0.75;
constexpr double kOneMinusB = 0.25;
constexpr double kTfPart = 2.2;        // k1 + 1
constexpr double kGramWeight = 0.7;
constexpr double kGramBest = 1.54;     // 0.7 * 2.2 in numeric
constexpr std::size_t kMinCandidates = 20;

/// Lucene's BM25 idf, ln(1 + (N - df + 0.5) / (df + 0.5)), in float8 as the SQL computes it.
double idf(double n, double df) { return std::log(1 + (n - df + 0.5) / (df + 0.5)); }

/// One term's BM25 part: idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len / avg)), evaluated
/// left to right like the SQL (0.75 * len is exact in numeric and in double).
double bm25_part(double term_idf, double tf, double len, double avg) {
  return term_idf * tf * kTfPart / (tf + kK1 * (kOneMinusB + kB * len / avg));
}

/// `count` × the idf of a term the bot lacks (df 0), ln(1 + (N + 0.5) / 0.5): the SQL
/// computes it in numeric and converts the product to float8; long double is closer to that
/// than double.
double unseen_part(std::int64_t count, std::int64_t chunks) {
  if (count == 0) return 0;
  long double unseen = std::log(1.0L + (static_cast<long double>(chunks) + 0.5L) / 0.5L);
  return static_cast<double>(static_cast<long double>(count) * unseen);
}

std::size_t string_bytes(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

/// Heap bytes of an unordered_map node holding `key` and a V (libstdc++: next pointer, cached
/// hash, the pair) plus its bucket pointer.
template <typename V>
std::size_t node_bytes(const std::string& key) {
  return sizeof(void*) + sizeof(std::size_t) + sizeof(std::string) + sizeof(V) + string_bytes(key) +
         sizeof(void*);
}

}  // namespace

BotSearchIndex::BotSearchIndex(std::int64_t version, SearchStats stats)
    : version_(version), stats_(stats) {}

void BotSearchIndex::add_document(std::string id, std::string title, std::int64_t created_at_us) {
  auto index = static_cast<std::uint32_t>(documents_.size());
  bytes_ += node_bytes<std::uint32_t>(id) + string_bytes(id) + string_bytes(title);
  document_index_.emplace(id, index);
  documents_.push_back(Document{std::move(id), std::move(title), created_at_us});
}

void BotSearchIndex::add_chunk(std::string id, std::string_view document_id, std::int32_t ordinal,
                               std::string text, std::int32_t term_count, std::int32_t gram_count) {
  auto document = document_index_.find(document_id);
  if (document == document_index_.end()) throw std::invalid_argument("chunk of an unknown document");
  auto index = static_cast<std::uint32_t>(chunks_.size());
  bytes_ += node_bytes<std::uint32_t>(id) + string_bytes(id) + string_bytes(text);
  chunk_index_.emplace(id, index);
  Chunk chunk;
  chunk.id = std::move(id);
  chunk.document = document->second;
  chunk.ordinal = ordinal;
  chunk.term_count = term_count;
  chunk.gram_count = gram_count;
  chunk.text = std::move(text);
  chunks_.push_back(std::move(chunk));
}

std::uint32_t BotSearchIndex::chunk_index(std::string_view chunk_id) const {
  auto it = chunk_index_.find(chunk_id);
  if (it == chunk_index_.end()) throw std::invalid_argument("unknown chunk");
  return it->second;
}

void BotSearchIndex::add_gram(std::string_view gram, std::int32_t df) {
  if (df <= 0) return;  // the SQL reads bot_grams rows "AND df > 0"
  auto [it, added] = gram_ids_.emplace(std::string(gram), static_cast<std::uint32_t>(gram_df_.size()));
  if (!added) throw std::invalid_argument("gram added twice");
  bytes_ += node_bytes<std::uint32_t>(it->first);
  gram_df_.push_back(df);
}

void BotSearchIndex::add_posting(std::string_view lexeme, std::string_view chunk_id, std::int32_t tf,
                                 std::int32_t len) {
  auto chunk = chunk_index(chunk_id);
  auto it = postings_.find(lexeme);
  if (it == postings_.end()) {
    it = postings_.emplace(std::string(lexeme), std::vector<Posting>{}).first;
    bytes_ += node_bytes<std::vector<Posting>>(it->first);
  }
  it->second.push_back(Posting{chunk, tf, len});
}

void BotSearchIndex::set_chunk_grams(
    std::string_view chunk_id, const std::vector<std::pair<std::string_view, std::int64_t>>& grams) {
  auto& chunk = chunks_[chunk_index(chunk_id)];
  if (chunk.grams_set) throw std::invalid_argument("gram vector set twice");
  chunk.grams_set = true;
  std::vector<std::pair<std::uint32_t, std::uint16_t>> known;
  known.reserve(grams.size());
  for (const auto& [gram, tf] : grams) {
    if (tf < 1 || tf > 65535) throw std::invalid_argument("gram tf out of range");
    auto it = gram_ids_.find(gram);
    if (it != gram_ids_.end()) known.emplace_back(it->second, static_cast<std::uint16_t>(tf));
  }
  std::sort(known.begin(), known.end());
  chunk.grams_begin = static_cast<std::uint32_t>(chunk_gram_ids_.size());
  for (const auto& [id, tf] : known) {
    chunk_gram_ids_.push_back(id);
    chunk_gram_tfs_.push_back(tf);
  }
  chunk.grams_end = static_cast<std::uint32_t>(chunk_gram_ids_.size());
}

void BotSearchIndex::finish() {
  chunk_gram_ids_.shrink_to_fit();
  chunk_gram_tfs_.shrink_to_fit();
  for (auto& [lexeme, list] : postings_) list.shrink_to_fit();
}

std::size_t BotSearchIndex::bytes() const {
  std::size_t total = sizeof(*this) + bytes_ + documents_.capacity() * sizeof(Document) +
                      chunks_.capacity() * sizeof(Chunk) + gram_df_.capacity() * sizeof(std::int32_t) +
                      chunk_gram_ids_.capacity() * sizeof(std::uint32_t) +
                      chunk_gram_tfs_.capacity() * sizeof(std::uint16_t);
  for (const auto& [lexeme, list] : postings_) total += list.capacity() * sizeof(Posting);
  return total;
}

std::vector<registry::v1::KnowledgeChunk> BotSearchIndex::search(
    const std::vector<std::string>& lexemes, const std::vector<std::string>& grams, int limit) const {
  std::vector<registry::v1::KnowledgeChunk> out;
  // The SQL's `stats` CTE has no row for a bot without chunks: nothing is scored.
  if (stats_.chunks <= 0 || limit < 1 || chunks_.empty()) return out;
  const double n = static_cast<double>(stats_.chunks);
  const double avg_len = std::max(static_cast<double>(stats_.term_total) / static_cast<double>(stats_.chunks), 1.0);
  const double avg_grams = std::max(static_cast<double>(stats_.gram_total) / static_cast<double>(stats_.chunks), 1.0);

  // Word stage: the postings of the lexemes in byte order (the SQL reads them by the primary
  // key (bot_id, lexeme, chunk_id) and sums each chunk's parts in that order).
  std::vector<std::string_view> words(lexemes.begin(), lexemes.end());
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  std::vector<double> score(chunks_.size(), 0.0);
  std::vector<std::uint32_t> matched;
  std::vector<bool> seen(chunks_.size(), false);
  double best_words = 0;
  std::int64_t words_found = 0;
  for (auto word : words) {
    auto it = postings_.find(word);
    if (it == postings_.end() || it->second.empty()) continue;
    const double word_idf = idf(n, static_cast<double>(it->second.size()));
    best_words += word_idf;
    ++words_found;
    for (const auto& p : it->second) {
      double part = bm25_part(word_idf, p.tf, p.len, avg_len);
      if (!seen[p.chunk]) {
        seen[p.chunk] = true;
        matched.push_back(p.chunk);
        score[p.chunk] = part;
      } else {
        score[p.chunk] += part;
      }
    }
  }
  if (matched.empty()) return out;

  // Candidates: the best max(limit, 20) by the word score, ties by chunk id (uuid order is the
  // order of its lower-case hex text).
  auto by_word_score = [&](std::uint32_t a, std::uint32_t b) {
    if (score[a] != score[b]) return score[a] > score[b];
    return chunks_[a].id < chunks_[b].id;
  };
  std::size_t candidates = std::min(matched.size(), std::max<std::size_t>(static_cast<std::size_t>(limit), kMinCandidates));
  std::partial_sort(matched.begin(), matched.begin() + static_cast<std::ptrdiff_t>(candidates), matched.end(), by_word_score);
  matched.resize(candidates);

  // Gram stage: the question's grams the bot has (df > 0), with their idf.
  std::vector<std::pair<std::uint32_t, double>> gram_idf;
  double best_grams = 0;
  for (const auto& gram : grams) {
    auto it = gram_ids_.find(gram);
    if (it == gram_ids_.end()) continue;
    double g = idf(n, static_cast<double>(gram_df_[it->second]));
    gram_idf.emplace_back(it->second, g);
    best_grams += g;
  }
  const double best =
      kTfPart * (best_words + unseen_part(static_cast<std::int64_t>(words.size()) - words_found, stats_.chunks)) +
      kGramBest * (best_grams + unseen_part(static_cast<std::int64_t>(grams.size()) -
                                                static_cast<std::int64_t>(gram_idf.size()),
                                            stats_.chunks));

  struct Ranked {
    std::uint32_t chunk;
    double score;
  };
  std::vector<Ranked> ranked;
  ranked.reserve(matched.size());
  for (auto c : matched) {
    const Chunk& chunk = chunks_[c];
    auto ids_begin = chunk_gram_ids_.begin() + chunk.grams_begin;
    auto ids_end = chunk_gram_ids_.begin() + chunk.grams_end;
    double gram_score = 0;
    for (const auto& [id, g] : gram_idf) {
      auto found = std::lower_bound(ids_begin, ids_end, id);
      if (found == ids_end || *found != id) continue;
      double tf = chunk_gram_tfs_[static_cast<std::size_t>(found - chunk_gram_ids_.begin())];
      gram_score += bm25_part(g, tf, chunk.gram_count, avg_grams);
    }
    ranked.push_back(Ranked{c, score[c] + kGramWeight * gram_score});
  }
  // ORDER BY score DESC, d.created_at, c.ordinal (then the chunk id, which the SQL leaves open).
  std::sort(ranked.begin(), ranked.end(), [&](const Ranked& a, const Ranked& b) {
    if (a.score != b.score) return a.score > b.score;
    const Chunk& ca = chunks_[a.chunk];
    const Chunk& cb = chunks_[b.chunk];
    const auto& da = documents_[ca.document];
    const auto& db = documents_[cb.document];
    if (da.created_at_us != db.created_at_us) return da.created_at_us < db.created_at_us;
    if (ca.ordinal != cb.ordinal) return ca.ordinal < cb.ordinal;
    return ca.id < cb.id;
  });
  if (ranked.size() > static_cast<std::size_t>(limit)) ranked.resize(static_cast<std::size_t>(limit));
  out.reserve(ranked.size());
  for (const auto& r : ranked) {
    const Chunk& chunk = chunks_[r.chunk];
    const Document& document = documents_[chunk.document];
    registry::v1::KnowledgeChunk hit;
    hit.set_chunk_id(chunk.id);
    hit.set_document_id(document.id);
    hit.set_document_title(document.title);
    hit.set_text(chunk.text);
    hit.set_ordinal(chunk.ordinal);
    hit.set_score(r.score);
    // LEAST(score / NULLIF(best, 0), 1): LEAST skips the NULL, so 1 when best is 0.
    hit.set_normalized_score(best == 0 ? 1.0 : std::min(r.score / best, 1.0));
    out.push_back(std::move(hit));
  }
  return out;
}

}  // namespace botfactory::registry
