#pragma once
// The sentence encoder's tokenizer (docs/architecture.md "Sentence encoder"): the unigram
// Viterbi segmentation of the Universal Sentence Encoder lite vocabulary, exactly as the npm
// package @energetic-ai/embeddings@0.2.0 (dist/index.js, Apache-2.0) does it in JavaScript, so
// that token ids match the reference the model was exported with.
//
// Why hand-written and not Debian's libsentencepiece (0.1.97): that library needs a
// sentencepiece ModelProto (normaliser spec, piece types, unk id and score), which the npm
// package does not ship (only [piece, score] pairs), and its lattice differs from the package's
// on purpose-relevant points: the package gives an unknown character score 0 (sentencepiece
// gives min_score − 10), breaks score ties towards the later start, treats "best score 0" as
// "unset", and merges runs of unknowns after the search. Rebuilding a ModelProto would still
// not give identical ids, so the ~150 lines here follow the package line by line instead.
// NFKC comes from ICU (libicu-dev, already a dependency of ai-proxy), as JavaScript's
// String.prototype.normalize("NFKC") in Node does.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace botfactory::registry {

/// One vocabulary entry: the piece (UTF-8, "▁" U+2581 marks a word start) and its unigram
/// log-probability score (≤ 0; higher is likelier).
struct SentencePiece {
  std::string piece;
  double score = 0;
};

/// Unigram Viterbi tokenizer over a sentencepiece-style vocabulary. Immutable after
/// construction; encode() is const and safe to call from many threads.
///
/// encode(text):
///   1. invalid UTF-8 bytes become U+FFFD; the text is NFKC-normalised (ICU);
///   2. empty → no tokens; otherwise "▁" + text with every ASCII space replaced by "▁";
///   3. best path over the lattice of vocabulary pieces with id ≥ reserved (score = sum of
///      piece scores); a code point that starts no piece is one unknown token (id 0, score 0);
///      ties go to the later start (the shorter last piece);
///   4. consecutive unknown tokens are merged into one.
class SentenceTokenizer {
 public:
  /// The id of the unknown token.
  static constexpr std::int32_t kUnknownId = 0;

  /// `pieces` in id order (index = id). Ids below `reserved` (control symbols "<s>", "</s>",
  /// …) are never produced except kUnknownId; a piece that occurs twice keeps its last id and
  /// score (as the package's trie does). Empty pieces are ignored.
  explicit SentenceTokenizer(std::vector<SentencePiece> pieces, std::size_t reserved = 6);

  /// Token ids of `utf8` (any bytes; see the class comment). Linear in the input length
  /// (× the longest piece, 16 code points for USE-lite). No length cap here: the encoder cuts
  /// its input first (SentenceEncoder::kMaxInputBytes).
  std::vector<std::int32_t> encode(std::string_view utf8) const;

  /// NFKC form of `utf8` (invalid bytes → U+FFFD), UTF-8. Exposed for tests and the bench.
  static std::string nfkc(std::string_view utf8);

  /// Vocabulary size (ids 0 … size()-1).
  std::size_t size() const { return pieces_.size(); }
  /// The piece of `id` (UTF-8), or "" when out of range.
  std::string_view piece(std::int32_t id) const;
  /// Heap bytes held (pieces and the prefix table), approximate.
  std::size_t bytes() const;

 private:
  struct Node {
    std::int32_t id = -1;  // -1: a proper prefix of some piece only
    double score = 0;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Equal {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  };
  std::vector<SentencePiece> pieces_;
  // Every prefix (whole code points) of every piece → the piece ending there, if any: the
  // package's trie as a hash table keyed by UTF-8 bytes.
  std::unordered_map<std::string, Node, Hash, Equal> prefixes_;
  std::size_t max_piece_chars_ = 0;  // longest piece, in code points
};

}  // namespace botfactory::registry
