#include "semantic_rerank.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <string>
#include <unordered_map>

#include "botfactory/text/words.hpp"

namespace botfactory::registry {
namespace {

constexpr std::size_t kMinChars = 2;  // query_words()' rule

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

double norm(const std::vector<float>& a) { return std::sqrt(dot(a, a)); }

/// Adds `text`'s words (repeats counted, or each once when `distinct`) to `out`.
void add_words(const WordVectors& vectors, std::string_view text, float weight, bool distinct, float sif_a,
               std::vector<float>& out, int& found) {
  std::vector<std::string> seen;
  text::WordReader reader(text);
  for (text::Word word; reader.next(word);) {
    if (word.code_points < kMinChars) continue;
    if (distinct) {
      if (std::find(seen.begin(), seen.end(), word.text) != seen.end()) continue;
      seen.push_back(word.text);
    }
    auto index = vectors.find(word.text);
    if (index < 0) continue;
    vectors.add_to(index, weight * vectors.sif_weight(index, sif_a), out.data());
    ++found;
  }
}

}  // namespace

bool ChunkVectorCache::get(const std::string& chunk_id, std::size_t source_bytes, std::vector<float>& out) const {
  auto entry = entries_.get(chunk_id);
  if (!entry || entry->source_bytes != source_bytes) return false;
  out = std::move(entry->vector);
  return true;
}

void ChunkVectorCache::put(const std::string& chunk_id, std::size_t source_bytes, const std::vector<float>& vector) {
  entries_.put(chunk_id, Entry{source_bytes, vector});
}

int text_vector(const WordVectors& vectors, std::string_view text, std::string_view extra, float extra_weight,
                float sif_a, std::vector<float>& out) {
  out.assign(vectors.dims(), 0.0f);
  int found = 0;
  add_words(vectors, text, 1.0f, false, sif_a, out, found);
  if (extra_weight > 0) add_words(vectors, extra, extra_weight, true, sif_a, out, found);
  return found;
}

void semantic_rerank(const WordVectors& vectors, std::string_view question,
                     std::vector<registry::v1::KnowledgeChunk>& chunks, const SemanticRerankSettings& settings,
                     ChunkVectorCache* cache) {
  if (chunks.empty()) return;
  // The question's distinct words, each once (query_words()), as the lexical stage reads it.
  std::vector<float> q(vectors.dims(), 0.0f);
  int q_found = 0;
  std::vector<std::string> seen;
  {
    text::WordReader reader(question);
    for (text::Word word; seen.size() < 32 && reader.next(word);) {
      if (word.code_points < kMinChars || std::find(seen.begin(), seen.end(), word.text) != seen.end()) continue;
      seen.push_back(word.text);
      auto index = vectors.find(word.text);
      if (index < 0) continue;
      vectors.add_to(index, vectors.sif_weight(index, settings.sif_a), q.data());
      ++q_found;
    }
  }
  const double q_norm = norm(q);
  // Fewer than half of the question's words known (a Russian or Uzbek question to an English
  // bot): the vectors say little about it, the lexical order stays.
  if (q_found == 0 || q_norm == 0 || 2 * static_cast<std::size_t>(q_found) < seen.size()) return;
  for (auto& x : q) x = static_cast<float>(x / q_norm);

  // Unit vectors of the candidates and their mean (the common direction of this question's
  // candidates, removed before the blend's cosine).
  const std::size_t n = chunks.size();
  std::vector<std::vector<float>> unit(n);
  std::vector<bool> known(n, false);
  std::vector<float> mean(vectors.dims(), 0.0f);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t source_bytes = chunks[i].text().size() + chunks[i].document_title().size();
    if (!cache || !cache->get(chunks[i].chunk_id(), source_bytes, unit[i])) {
      text_vector(vectors, chunks[i].text(), chunks[i].document_title(), settings.title_weight, settings.sif_a,
                  unit[i]);
      double len = norm(unit[i]);
      if (len > 0) {
        for (auto& x : unit[i]) x = static_cast<float>(x / len);
      }
      if (cache) cache->put(chunks[i].chunk_id(), source_bytes, unit[i]);
    }
    double len = norm(unit[i]);
    if (len == 0) {
      chunks[i].set_semantic_similarity(0);
      chunks[i].set_semantic(true);
      continue;  // counted as a zero vector in the mean, like the prototype
    }
    known[i] = true;
    for (std::size_t d = 0; d < mean.size(); ++d) mean[d] += unit[i][d];
    chunks[i].set_semantic_similarity(dot(q, unit[i]));
    chunks[i].set_semantic(true);
  }
  for (auto& x : mean) x /= static_cast<float>(n);
  std::vector<float> qc(q.size());
  for (std::size_t d = 0; d < q.size(); ++d) qc[d] = q[d] - mean[d];
  const double qc_norm = norm(qc);

  const double top = chunks[0].score();
  std::vector<double> blend(n);
  std::vector<float> vc(q.size());
  for (std::size_t i = 0; i < n; ++i) {
    double centred = 0;
    if (known[i] && qc_norm > 0) {
      for (std::size_t d = 0; d < q.size(); ++d) vc[d] = unit[i][d] - mean[d];
      double vc_norm = norm(vc);
      if (vc_norm > 0) centred = dot(qc, vc) / (qc_norm * vc_norm);
    }
    blend[i] = (top > 0 ? chunks[i].score() / top : 0) + settings.weight * centred;
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return blend[a] > blend[b]; });
  // The re-rank orders documents: the places a document's chunks take are refilled with its
  // chunks in their lexical order (the best-matching passage of an entry stays its first).
  std::unordered_map<std::string, std::vector<std::size_t>> by_document;  // lexical order
  for (std::size_t i = 0; i < n; ++i) by_document[chunks[i].document_id()].push_back(i);
  std::unordered_map<std::string, std::size_t> used;
  for (auto& i : order) {
    const auto& document = chunks[i].document_id();
    i = by_document[document][used[document]++];
  }
  std::vector<registry::v1::KnowledgeChunk> sorted;
  sorted.reserve(n);
  for (auto i : order) sorted.push_back(std::move(chunks[i]));
  chunks = std::move(sorted);
}

}  // namespace botfactory::registry
