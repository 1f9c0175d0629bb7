// Fuzz target: bot-registry's sentence tokenizer (services/bot-registry/src/sentence_tokenizer.cpp,
// the unigram Viterbi of USE-lite) over any bytes.
// Input: if it contains "\n\n", the part before is a vocabulary (one piece per line, scores
// −(line % 5) − 1, so ties happen) and the rest the text; otherwise a fixed vocabulary with
// multi-byte pieces and the whole input as text.
// Properties:
// - encode() returns (no crash, no hang: linear in the text);
// - every id is in [0, size()), never a reserved id other than 0;
// - never two unknown tokens (id 0) in a row;
// - at most one token per code point of the normalised text plus the leading "▁";
// - the same text gives the same ids (no hidden state).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "sentence_tokenizer.hpp"

using botfactory::registry::SentencePiece;
using botfactory::registry::SentenceTokenizer;

namespace {

std::vector<SentencePiece> fixed_vocabulary() {
  std::vector<SentencePiece> v = {{"\xEF\xBF\xBD", 0}, {"<s>", 0}, {"</s>", 0}, {"a", 0}, {"b", 0}, {"c", 0}};
  const char* pieces[] = {"\xE2\x96\x81", "\xE2\x96\x81the", "the", "e", "t", "h", ("\xE2\x96\x81" "a"), "ab",
                          "\xD0\xBF", "\xD0\xBF\xD1\x80", "\xE2\x96\x81\xD0\xBF", "1", "12", ".", "!?",
                          "\xF0\x9F\x98\x80", "\xE2\x96\x81\xE2\x96\x81", "s", "\xE2\x96\x81s"};
  double score = -1;
  for (const char* p : pieces) {
    v.push_back({p, score});
    score -= 0.5;
  }
  v.push_back({"the", -0.25});  // a repeated piece: the last one wins
  return v;
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static const SentenceTokenizer fixed(fixed_vocabulary());
  std::string_view text = input;
  const SentenceTokenizer* tok = &fixed;
  SentenceTokenizer custom({});
  if (const auto split = input.find("\n\n"); split != std::string_view::npos) {
    std::vector<SentencePiece> pieces(6, {"<r>", 0});
    std::string_view list = input.substr(0, split);
    for (std::size_t line = 0; !list.empty(); ++line) {
      const auto end = list.find('\n');
      pieces.push_back({std::string(list.substr(0, end)), -static_cast<double>(line % 5) - 1});
      list = end == std::string_view::npos ? std::string_view() : list.substr(end + 1);
    }
    custom = SentenceTokenizer(std::move(pieces));
    tok = &custom;
    text = input.substr(split + 2);
  }
  const auto ids = tok->encode(text);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    FUZZ_CHECK(ids[i] >= 0 && static_cast<std::size_t>(ids[i]) < tok->size());
    FUZZ_CHECK(ids[i] == 0 || ids[i] >= 6);
    if (i > 0) FUZZ_CHECK(!(ids[i] == 0 && ids[i - 1] == 0));
  }
  FUZZ_CHECK(ids.size() <= code_points(SentenceTokenizer::nfkc(text)) + 1);
  FUZZ_CHECK(tok->encode(text) == ids);
  return 0;
}
