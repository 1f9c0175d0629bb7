// SentenceTokenizer: the unigram Viterbi of @energetic-ai/embeddings@0.2.0 (dist/index.js,
// "lib/tokenizer.ts" and "lib/trie.ts"), step by step; see sentence_tokenizer.hpp.
#include "sentence_tokenizer.hpp"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <stdexcept>

namespace botfactory::registry {
namespace {

constexpr std::string_view kSeparator = "\xE2\x96\x81";  // U+2581 LOWER ONE EIGHTH BLOCK "▁"

/// Byte length of the UTF-8 sequence led by `lead` (valid UTF-8 only: ICU's output).
std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  return 2;
}

/// JavaScript's String length of a piece: UTF-16 code units (astral code points count twice).
/// The package steps back through the best path by this length (tokenizer.ts, "iter -=
/// this.vocabulary[...][0].length").
std::size_t utf16_length(std::string_view utf8) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < utf8.size();) {
    const std::size_t len = sequence_length(static_cast<unsigned char>(utf8[i]));
    n += len == 4 ? 2 : 1;
    i += len;
  }
  return n;
}

}  // namespace

SentenceTokenizer::SentenceTokenizer(std::vector<SentencePiece> pieces, std::size_t reserved)
    : pieces_(std::move(pieces)) {
  for (std::size_t id = reserved; id < pieces_.size(); ++id) {
    const std::string& p = pieces_[id].piece;
    if (p.empty()) continue;
    std::size_t chars = 0;
    for (std::size_t i = 0; i < p.size();) {
      i += sequence_length(static_cast<unsigned char>(p[i]));
      ++chars;
      auto [it, inserted] = prefixes_.try_emplace(p.substr(0, i));
      (void)inserted;
      if (i == p.size()) {
        it->second.id = static_cast<std::int32_t>(id);  // a repeated piece: the last one wins
        it->second.score = pieces_[id].score;
      }
    }
    max_piece_chars_ = std::max(max_piece_chars_, chars);
  }
}

std::string SentenceTokenizer::nfkc(std::string_view utf8) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status) || normalizer == nullptr) throw std::runtime_error("ICU NFKC normaliser unavailable");
  // fromUTF8 turns every ill-formed sequence into U+FFFD (as a JavaScript TextDecoder would).
  const icu::UnicodeString text = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<std::int32_t>(utf8.size())));
  icu::UnicodeString normal = normalizer->normalize(text, status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU NFKC normalisation failed");
  std::string out;
  normal.toUTF8String(out);
  return out;
}

std::string_view SentenceTokenizer::piece(std::int32_t id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= pieces_.size()) return {};
  return pieces_[static_cast<std::size_t>(id)].piece;
}

std::size_t SentenceTokenizer::bytes() const {
  std::size_t n = pieces_.capacity() * sizeof(SentencePiece);
  for (const auto& p : pieces_) n += p.piece.capacity();
  for (const auto& [key, node] : prefixes_) n += key.capacity() + sizeof(node) + 3 * sizeof(void*);
  return n + prefixes_.bucket_count() * sizeof(void*);
}

std::vector<std::int32_t> SentenceTokenizer::encode(std::string_view utf8) const {
  // processInput(): NFKC, then "▁" + text with every " " replaced by "▁" (empty stays empty).
  const std::string normal = nfkc(utf8);
  if (normal.empty()) return {};
  std::string text(kSeparator);
  text.reserve(normal.size() * 2 + kSeparator.size());
  for (char c : normal) {
    if (c == ' ') text += kSeparator;
    else text += c;
  }
  // Code point boundaries ("stringToChars").
  std::vector<std::size_t> at;
  at.reserve(text.size() + 1);
  for (std::size_t i = 0; i < text.size(); i += sequence_length(static_cast<unsigned char>(text[i]))) at.push_back(i);
  const std::size_t n = at.size();
  at.push_back(text.size());

  // The lattice: edges[end] lists (start, score, id) in ascending start, as the package's
  // "for (const startPos in nodes[endPos])" visits them (integer keys ascending).
  struct Edge {
    std::size_t start;
    double score;
    std::int32_t id;
  };
  std::vector<std::vector<Edge>> edges(n + 1);
  for (std::size_t i = 0; i < n; ++i) {
    bool matched = false;
    const std::size_t last = std::min(n, i + max_piece_chars_);
    for (std::size_t j = i + 1; j <= last; ++j) {  // commonPrefixSearch(symbols.slice(i))
      auto it = prefixes_.find(std::string_view(text).substr(at[i], at[j] - at[i]));
      if (it == prefixes_.end()) break;
      if (it->second.id >= 0) {
        edges[j].push_back({i, it->second.score, it->second.id});
        matched = true;
      }
    }
    if (!matched) edges[i + 1].push_back({i, 0.0, kUnknownId});  // [[ss[0]], 0, 0]
  }
  // Viterbi, with the package's rule: a best score of exactly 0 counts as "none yet", and a tie
  // goes to the later candidate.
  std::vector<double> best(n + 1, 0.0);
  std::vector<std::int32_t> words(n + 1, 0);
  for (std::size_t end = 0; end <= n; ++end) {
    for (const Edge& e : edges[end]) {
      const double score = e.score + best[e.start];
      if (best[end] == 0 || score >= best[end]) {
        best[end] = score;
        words[end] = e.id;
      }
    }
  }
  // Back from the end by each chosen piece's JavaScript length; merge runs of unknowns.
  std::vector<std::int32_t> reversed;
  std::ptrdiff_t iter = static_cast<std::ptrdiff_t>(n);
  bool previous_unknown = false;
  while (iter > 0) {
    const std::int32_t id = words[static_cast<std::size_t>(iter)];
    if (!(previous_unknown && id == kUnknownId)) reversed.push_back(id);
    previous_unknown = id == kUnknownId;
    const std::size_t step = utf16_length(pieces_.at(static_cast<std::size_t>(id)).piece);
    iter -= static_cast<std::ptrdiff_t>(std::max<std::size_t>(step, 1));
  }
  std::reverse(reversed.begin(), reversed.end());
  return reversed;
}

}  // namespace botfactory::registry
