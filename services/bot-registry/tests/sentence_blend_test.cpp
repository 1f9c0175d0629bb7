// The sentence-encoder re-rank's blend and stored-embedding format on plain types
// (sentence_blend.hpp, sentence_embedding.hpp); no model, no database.

#include <catch2/catch.hpp>

#include <cmath>
#include <optional>
#include <vector>

#include "sentence_blend.hpp"
#include "sentence_embedding.hpp"

using namespace botfactory::registry;

TEST_CASE("sentence blend: score / best + weight × similarity, ties in lexical order", "[sentence_blend]") {
  // Lexical order a (10), b (9), c (5). Similarities 0.2, 0.3, 0.6 with weight 3:
  // a 1.0 + 0.6 = 1.6, b 0.9 + 0.9 = 1.8, c 0.5 + 1.8 = 2.3 → c, b, a.
  std::vector<double> scores{10, 9, 5};
  std::vector<std::optional<double>> sims{0.2, 0.3, 0.6};
  CHECK(sentence_blend_order(scores, sims, 3.0) == std::vector<std::size_t>{2, 1, 0});
  // Weight 0: the lexical order.
  CHECK(sentence_blend_order(scores, sims, 0.0) == std::vector<std::size_t>{0, 1, 2});
  // Equal blends keep the lexical order: a 1.0 + 0 = 1.0, b 0.5 + 0.5 = 1.0.
  std::vector<double> tie_scores{2, 1};
  std::vector<std::optional<double>> tie_sims{0.0, 0.5};
  CHECK(sentence_blend_order(tie_scores, tie_sims, 1.0) == std::vector<std::size_t>{0, 1});
}

TEST_CASE("sentence blend: a candidate with no embedding gets the mean similarity of the others", "[sentence_blend]") {
  std::vector<double> scores{10, 9, 8};
  std::vector<std::optional<double>> sims{0.1, std::nullopt, 0.5};
  std::vector<double> filled;
  // b gets (0.1 + 0.5) / 2 = 0.3: a 1.0 + 0.3 = 1.3, b 0.9 + 0.9 = 1.8, c 0.8 + 1.5 = 2.3.
  auto order = sentence_blend_order(scores, sims, 3.0, &filled);
  CHECK(order == std::vector<std::size_t>{2, 1, 0});
  REQUIRE(filled.size() == 3);
  CHECK(filled[1] == Approx(0.3));
  // None embedded: every similarity 0, the lexical order.
  std::vector<std::optional<double>> none(3);
  CHECK(sentence_blend_order(scores, none, 3.0) == std::vector<std::size_t>{0, 1, 2});
  CHECK(sentence_blend_order(std::vector<double>{}, std::vector<std::optional<double>>{}, 3.0).empty());
}

TEST_CASE("sentence blend: the chunk similarity averages text and title only when there is a title", "[sentence_blend]") {
  CHECK(chunk_similarity(0.4, std::nullopt) == Approx(0.4));
  CHECK(chunk_similarity(0.4, 0.8) == Approx(0.6));
  CHECK(has_title_text("Should I go on a cruise?"));
  CHECK(has_title_text("2020"));
  CHECK(has_title_text("Вопрос"));
  CHECK_FALSE(has_title_text("-"));
  CHECK_FALSE(has_title_text(""));
  CHECK_FALSE(has_title_text(" … — "));
}

TEST_CASE("stored embeddings: int8 + scale round trip, format byte, malformed values are missing", "[sentence_blend]") {
  std::vector<float> v(kEmbeddingDims);
  double len = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    v[i] = static_cast<float>(std::sin(0.37 * static_cast<double>(i) + 1.0));
    len += static_cast<double>(v[i]) * v[i];
  }
  for (auto& x : v) x = static_cast<float>(x / std::sqrt(len));
  auto bytes = encode_embedding(quantize(v));
  REQUIRE(bytes.size() == 1 + 4 + kEmbeddingDims);
  CHECK(static_cast<unsigned char>(bytes[0]) == kEmbeddingFormat);
  // Through the bytea text form and back.
  auto back = decode_embedding(bytea_value(bytea_param(bytes)));
  REQUIRE(back.kind == StoredEmbedding::Kind::vector);
  CHECK(back.vector.cosine(v) > 0.9999);
  CHECK(decode_embedding(encode_no_title()).kind == StoredEmbedding::Kind::no_title);
  std::string other = bytes;
  other[0] = static_cast<char>(kEmbeddingFormat + 1);
  CHECK(decode_embedding(other).kind == StoredEmbedding::Kind::missing);   // another model
  CHECK(decode_embedding(bytes.substr(0, 100)).kind == StoredEmbedding::Kind::missing);
  CHECK(decode_embedding("").kind == StoredEmbedding::Kind::missing);
  CHECK(bytea_value("\\x0g").empty());
  CHECK(bytea_value("zz").empty());
  // A zero vector: cosine 0, not NaN.
  auto zero = quantize(std::vector<float>(kEmbeddingDims, 0.0f));
  CHECK(zero.cosine(v) == 0.0);
}
