// Unit tests of the word-vector file loader and the semantic re-rank (no database).

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <map>

#include "botfactory/metrics/registry.hpp"
#include "semantic_rerank.hpp"
#include "word_vectors.hpp"

using namespace botfactory;
using registry::WordVectors;
using registry::WordVectorsError;

namespace {

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

/// A BFWV0001 file as tools/word-vectors/convert.mjs writes it (scale 1/127 per word).
std::string vector_file(const std::vector<std::pair<std::string, std::vector<int>>>& words) {
  const std::size_t dims = words.front().second.size();
  std::string vocabulary;
  for (const auto& [w, v] : words) {
    vocabulary.push_back(static_cast<char>(w.size()));
    vocabulary += w;
  }
  std::string out = "BFWV0001";
  put_u32(out, static_cast<std::uint32_t>(dims));
  put_u32(out, static_cast<std::uint32_t>(words.size()));
  put_u32(out, static_cast<std::uint32_t>(vocabulary.size()));
  out += vocabulary;
  for (std::size_t i = 0; i < words.size(); ++i) {
    float scale = 1.0f / 127;
    out.append(reinterpret_cast<const char*>(&scale), 4);
  }
  for (const auto& [w, v] : words) {
    for (int x : v) out.push_back(static_cast<char>(static_cast<std::int8_t>(x)));
  }
  std::uint32_t h = 0x811c9dc5u;
  for (unsigned char c : out) {
    h ^= c;
    h *= 0x01000193u;
  }
  put_u32(out, h);
  return out;
}

/// Four-dimensional toy vectors: a travel direction, a health direction and two filler words.
std::string toy_file() {
  return vector_file({{"the", {60, 60, 60, 60}},
                      {"can", {50, 50, 50, 60}},
                      {"do", {50, 60, 50, 50}},
                      {"on", {60, 50, 50, 50}},
                      {"should", {50, 50, 60, 50}},
                      {"go", {55, 55, 55, 50}},
                      {"holidays", {127, 10, 0, 0}},
                      {"ship", {120, 20, 0, 5}},
                      {"cruise", {125, 15, 5, 0}},
                      {"fever", {0, 0, 127, 10}},
                      {"symptoms", {0, 5, 120, 20}}});
}

std::string message_of(const std::string& bytes) {
  try {
    WordVectors::parse(bytes, "test.bfwv");
  } catch (const WordVectorsError& e) {
    return e.what();
  }
  return "";
}

registry::v1::KnowledgeChunk chunk(const std::string& title, const std::string& text, double score) {
  registry::v1::KnowledgeChunk c;
  c.set_chunk_id(title + "#" + text);
  c.set_document_id(title);
  c.set_document_title(title);
  c.set_text(text);
  c.set_score(score);
  return c;
}

}  // namespace

TEST_CASE("word vectors: a well-formed file loads and words are found by frequency rank") {
  auto v = WordVectors::parse(toy_file(), "toy");
  CHECK(v->dims() == 4);
  CHECK(v->size() == 11);
  CHECK(v->find("the") == 0);
  CHECK(v->find("cruise") == 8);
  CHECK(v->find("absent") == -1);
  // SIF: the most frequent word weighs less than a rare one.
  CHECK(v->sif_weight(0, 1e-3f) < v->sif_weight(10, 1e-3f));
  std::vector<float> acc(4, 0.0f);
  v->add_to(v->find("holidays"), 2.0f, acc.data());
  CHECK(acc[0] == Approx(2.0f));
  CHECK(v->bytes() > 11 * 4);
}

TEST_CASE("word vectors: bad and truncated files are refused with a clear error") {
  const auto good = toy_file();
  CHECK(message_of(good).empty());
  CHECK_THAT(message_of(""), Catch::Contains("test.bfwv") && Catch::Contains("truncated"));
  CHECK_THAT(message_of("BFWV0002" + good.substr(8)), Catch::Contains("bad magic"));
  CHECK_THAT(message_of(good.substr(0, good.size() / 2)), Catch::Contains("truncated"));
  CHECK_THAT(message_of(good.substr(0, good.size() - 1)), Catch::Contains("truncated"));
  CHECK_THAT(message_of(good + "x"), Catch::Contains("trailing bytes"));
  auto flipped = good;
  flipped[good.size() - 10] ^= 0x01;  // a component
  CHECK_THAT(message_of(flipped), Catch::Contains("checksum"));
  // A header announcing a huge count fails on the length check, before any allocation.
  auto huge = good;
  huge[12] = '\xff';
  huge[13] = '\xff';
  huge[14] = '\x0e';
  CHECK_THAT(message_of(huge), Catch::Contains("truncated"));
  auto zero_dims = good;
  zero_dims[8] = zero_dims[9] = zero_dims[10] = zero_dims[11] = 0;
  CHECK_THAT(message_of(zero_dims), Catch::Contains("dims 0"));
}

TEST_CASE("word vectors: the service loader returns none for a missing or bad file and says why") {
  auto& words = metrics::Registry::global().gauge("botfactory_registry_word_vectors_words", "");
  CHECK(registry::load_word_vectors_or_none("/nonexistent/dir/en.bfwv") == nullptr);
  CHECK(words.value() == 0);
  CHECK(registry::load_word_vectors_or_none("") == nullptr);

  std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/wv-test-" +
                     std::to_string(::getpid()) + ".bfwv";
  auto good = toy_file();
  {
    std::ofstream out(path, std::ios::binary);
    out << good.substr(0, good.size() - 7);  // truncated
  }
  CHECK(registry::load_word_vectors_or_none(path) == nullptr);
  CHECK_THROWS_WITH(WordVectors::load(path), Catch::Contains("truncated"));
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << good;
  }
  auto loaded = registry::load_word_vectors_or_none(path);
  REQUIRE(loaded != nullptr);
  CHECK(loaded->size() == 11);
  CHECK(words.value() == 11);
  std::remove(path.c_str());
}

TEST_CASE("semantic re-rank: a paraphrase sharing no content word with its entry comes first") {
  auto v = WordVectors::parse(toy_file(), "toy");
  // The lexical stage put the fever entry first (say, on a stop word); the question is about
  // holidays on a ship, the cruise entry shares no word with it.
  std::vector<registry::v1::KnowledgeChunk> chunks{
      chunk("What are the symptoms?", "Fever is one of the symptoms.", 10.0),
      chunk("Should I go on a cruise?", "Do not go on a cruise.", 9.0),
  };
  registry::SemanticRerankSettings settings;
  registry::semantic_rerank(*v, "Can I do holidays on a ship?", chunks, settings);
  REQUIRE(chunks.size() == 2);
  CHECK(chunks[0].document_title() == "Should I go on a cruise?");
  CHECK(chunks[0].semantic());
  CHECK(chunks[0].semantic_similarity() > chunks[1].semantic_similarity());
  CHECK(chunks[0].score() == 9.0);  // scores are left as the lexical stage set them

  // With weight 0 the lexical order stays.
  std::vector<registry::v1::KnowledgeChunk> again{
      chunk("What are the symptoms?", "Fever is one of the symptoms.", 10.0),
      chunk("Should I go on a cruise?", "Do not go on a cruise.", 9.0),
  };
  settings.weight = 0;
  registry::semantic_rerank(*v, "Can I do holidays on a ship?", again, settings);
  CHECK(again[0].document_title() == "What are the symptoms?");

  // Two chunks of one document keep their lexical order, whatever their similarity.
  std::vector<registry::v1::KnowledgeChunk> same{chunk("Cruises", "fever symptoms", 10.0),
                                                 chunk("Cruises", "cruise ship holidays", 9.0)};
  settings.weight = 10;
  registry::semantic_rerank(*v, "holidays on a ship", same, settings);
  CHECK(same[0].text() == "fever symptoms");

  // Fewer than half of the question's words known: the lexical order stays.
  std::vector<registry::v1::KnowledgeChunk> foreign{
      chunk("What are the symptoms?", "Fever is one of the symptoms.", 10.0),
      chunk("Should I go on a cruise?", "Do not go on a cruise.", 9.0),
  };
  registry::semantic_rerank(*v, "kruiz kemada ship ta'til", foreign, settings);
  CHECK(foreign[0].document_title() == "What are the symptoms?");

  // A question without a known word leaves the order alone.
  std::vector<registry::v1::KnowledgeChunk> unknown{chunk("A", "fever", 2.0), chunk("B", "cruise", 1.0)};
  settings.weight = 10;
  registry::semantic_rerank(*v, "qwzx", unknown, settings);
  CHECK(unknown[0].document_title() == "A");
  CHECK(unknown[0].semantic_similarity() == 0);
  CHECK_FALSE(unknown[0].semantic());
}

TEST_CASE("semantic re-rank: the chunk vector cache gives the same answers and stays within its bound") {
  auto v = WordVectors::parse(toy_file(), "toy");
  registry::SemanticRerankSettings settings;
  registry::ChunkVectorCache cache(2);
  auto make = [] {
    return std::vector<registry::v1::KnowledgeChunk>{
        chunk("What are the symptoms?", "Fever is one of the symptoms.", 10.0),
        chunk("Should I go on a cruise?", "Do not go on a cruise.", 9.0),
        chunk("Returns", "Ship it back.", 8.0),
    };
  };
  auto plain = make();
  registry::semantic_rerank(*v, "Can I do holidays on a ship?", plain, settings);
  for (int round = 0; round < 3; ++round) {
    auto cached = make();
    registry::semantic_rerank(*v, "Can I do holidays on a ship?", cached, settings, &cache);
    REQUIRE(cached.size() == plain.size());
    for (std::size_t i = 0; i < plain.size(); ++i) {
      CHECK(cached[i].chunk_id() == plain[i].chunk_id());
      CHECK(cached[i].semantic_similarity() == Approx(plain[i].semantic_similarity()));
    }
    CHECK(cache.size() <= 2);
  }
  // A different text under the same id (never happens in the registry) is not served stale.
  std::vector<float> out;
  cache.put("x", 3, {1.0f, 0, 0, 0});
  CHECK(cache.get("x", 3, out));
  CHECK_FALSE(cache.get("x", 4, out));
}
