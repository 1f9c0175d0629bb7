// Unit tests of the sentence tokenizer and encoder (sentence_tokenizer.hpp, sentence_encoder.hpp):
// token ids and embeddings against the npm reference (tests/data/sentence_encoder_reference.json,
// made by tools/sentence-encoder/reference.mjs), and bad model files.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <thread>

#include "botfactory/metrics/registry.hpp"
#include "sentence_encoder.hpp"

using namespace botfactory;
using registry::SentenceEncoder;
using registry::SentenceEncoderError;
using registry::SentencePiece;
using registry::SentenceTokenizer;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The real model (scripts/setup.sh converts it), or null after a SKIP when it is absent.
std::shared_ptr<const SentenceEncoder> real_model() {
  static std::shared_ptr<const SentenceEncoder> model = [] {
    const std::string path = REGISTRY_SENTENCE_ENCODER_FILE;
    if (!std::filesystem::exists(path)) return std::shared_ptr<const SentenceEncoder>();
    return SentenceEncoder::load(path);
  }();
  return model;
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::uint32_t fnv1a(std::string_view bytes) {
  std::uint32_t h = 0x811c9dc5u;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x01000193u;
  }
  return h;
}

/// `body` (a file without its checksum) with the checksum appended.
std::string with_checksum(std::string body) {
  put_u32(body, fnv1a(body));
  return body;
}

std::vector<std::string> unit_vocabulary() {
  // id: 0 unknown, 1..5 reserved, then pieces.
  return {"\xEF\xBF\xBD", "<s>", "</s>", "x1", "x2", "x3", "\xE2\x96\x81" "a", "b", "\xE2\x96\x81" "ab",
          "c", "\xE2\x96\x81", "fi"};
}

SentenceTokenizer unit_tokenizer() {
  std::vector<SentencePiece> pieces;
  const std::vector<double> scores = {0, 0, 0, 0, 0, 0, -2, -2, -3, -1, -1, -1};
  auto words = unit_vocabulary();
  for (std::size_t i = 0; i < words.size(); ++i) pieces.push_back({words[i], scores[i]});
  return SentenceTokenizer(std::move(pieces));
}

}  // namespace

TEST_CASE("sentence tokenizer: the package's Viterbi, quirks included", "[sentence_encoder]") {
  // Expected ids from @energetic-ai/embeddings@0.2.0's own Tokenizer over the same vocabulary
  // (new EmbeddingsModel({vocabulary, model: null}).tokenizer.encode(text)).
  const auto tok = unit_tokenizer();
  // "a" alone is no piece: an unknown (score 0) beats "▁ab" (-3) and "▁a" (-2) on ties and
  // scores, as in the package.
  CHECK(tok.encode("ab") == std::vector<std::int32_t>{10, 0, 7});
  CHECK(tok.encode("ab c") == std::vector<std::int32_t>{10, 0, 7, 10, 9});
  CHECK(tok.encode("b ab") == std::vector<std::int32_t>{10, 7, 10, 0, 7});
  CHECK(tok.encode("cc  c") == std::vector<std::int32_t>{10, 9, 9, 10, 10, 9});
  // Consecutive unknowns merge into one.
  CHECK(tok.encode("a\xC3\xA9\xC3\xA9" "b") == std::vector<std::int32_t>{10, 0, 7});
  // NFKC turns the ligature U+FB01 into "fi"; position 2 is unreachable (best 0 = "unset"), so
  // the unknown "i" wins, as in the package.
  CHECK(tok.encode("\xEF\xAC\x81") == std::vector<std::int32_t>{10, 0});
  CHECK(SentenceTokenizer::nfkc("\xEF\xBC\xA1") == "A");  // fullwidth A
  CHECK(tok.encode("").empty());
  // Invalid UTF-8 is U+FFFD, an unknown here (id 0 is reserved, never a piece).
  CHECK(tok.encode("\xFF") == std::vector<std::int32_t>{10, 0});
  CHECK(tok.encode("\xEF\xBF\xBD") == std::vector<std::int32_t>{10, 0});
}

TEST_CASE("sentence encoder: token ids and embeddings match the npm reference", "[sentence_encoder]") {
  auto model = real_model();
  if (!model) {
    WARN("SKIPPED: " REGISTRY_SENTENCE_ENCODER_FILE " is absent (scripts/setup.sh converts it)");
    SUCCEED();
    return;
  }
  const auto doc = boost::json::parse(read_file(REGISTRY_SENTENCE_FIXTURE));
  const auto& sentences = doc.at("sentences").as_array();
  REQUIRE(sentences.size() >= 20);
  double min_cosine = 1;
  for (const auto& s : sentences) {
    const std::string text(s.at("text").as_string());
    INFO("text: " << text);
    std::vector<std::int32_t> expected;
    for (const auto& t : s.at("tokens").as_array()) expected.push_back(static_cast<std::int32_t>(t.as_int64()));
    CHECK(model->tokenize(text) == expected);
    const auto& ref = s.at("embedding").as_array();
    REQUIRE(ref.size() == SentenceEncoder::kDims);
    const auto got = model->embed(text);
    REQUIRE(got.size() == SentenceEncoder::kDims);
    double dot = 0, nr = 0, ng = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
      const double r = ref[i].to_number<double>();
      dot += r * got[i];
      nr += r * r;
      ng += static_cast<double>(got[i]) * got[i];
    }
    CHECK(std::abs(std::sqrt(ng) - 1) < 1e-5);
    const double cosine = dot / std::sqrt(nr * ng);
    CHECK(cosine >= 0.9999);
    min_cosine = std::min(min_cosine, cosine);
  }
  WARN("minimum cosine to the reference: 1 - " << std::setprecision(3) << (1 - min_cosine));
}

TEST_CASE("sentence encoder: long input is cut, ids out of range refused", "[sentence_encoder]") {
  auto model = real_model();
  if (!model) {
    WARN("SKIPPED: " REGISTRY_SENTENCE_ENCODER_FILE " is absent (scripts/setup.sh converts it)");
    SUCCEED();
    return;
  }
  CHECK(model->max_tokens() == 128);
  std::string huge;
  while (huge.size() < 3 * SentenceEncoder::kMaxInputBytes) huge += "refund policy for Zürich orders ";
  const auto ids = model->tokenize(huge);
  CHECK(ids.size() > model->max_tokens());
  CHECK(model->embed(huge).size() == SentenceEncoder::kDims);
  // Only the first max_tokens() tokens count.
  std::vector<std::int32_t> first(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(model->max_tokens()));
  CHECK(model->embed_tokens(first) == model->embed(huge));
  const std::vector<std::int32_t> bad = {5, static_cast<std::int32_t>(model->vocabulary_size())};
  CHECK_THROWS_AS(model->embed_tokens(bad), std::out_of_range);
  // Any bytes: invalid UTF-8, NUL, lone continuation bytes.
  CHECK(model->embed(std::string("\x00\xFF\x80\xC3", 4)).size() == SentenceEncoder::kDims);
}

TEST_CASE("sentence encoder: concurrent embed() calls give the single-thread results", "[sentence_encoder]") {
  auto model = real_model();
  if (!model) {
    WARN("SKIPPED: " REGISTRY_SENTENCE_ENCODER_FILE " is absent (scripts/setup.sh converts it)");
    SUCCEED();
    return;
  }
  const std::vector<std::string> texts = {"How do I reset my password?", "refund policy", "",
                                          "Как сбросить пароль?", "Order #12345 shipped"};
  std::vector<std::vector<float>> expected;
  for (const auto& t : texts) expected.push_back(model->embed(t));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        for (std::size_t i = 0; i < texts.size(); ++i) {
          if (model->embed(texts[(i + static_cast<std::size_t>(t)) % texts.size()]) !=
              expected[(i + static_cast<std::size_t>(t)) % texts.size()]) {
            ++mismatches[static_cast<std::size_t>(t)];
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(mismatches == std::vector<int>(4, 0));
}

TEST_CASE("sentence encoder: truncated or corrupt model files are errors", "[sentence_encoder]") {
  CHECK_THROWS_AS(SentenceEncoder::load("/nonexistent/dir/use.bfse"), SentenceEncoderError);
  CHECK_THROWS_AS(SentenceEncoder::parse("", "empty"), SentenceEncoderError);
  CHECK_THROWS_AS(SentenceEncoder::parse("BFSE", "short"), SentenceEncoderError);
  CHECK_THROWS_AS(SentenceEncoder::parse(with_checksum("BFWV0001xxxx"), "magic"), SentenceEncoderError);
  {
    std::string body = "BFSE";
    put_u32(body, 2);
    CHECK_THROWS_WITH(SentenceEncoder::parse(with_checksum(body), "v2"), Catch::Contains("version"));
  }
  {
    // Counts that promise more than the file holds.
    std::string body = "BFSE";
    put_u32(body, 1);
    put_u32(body, 0);
    put_u32(body, 0xFFFFFFFFu);
    CHECK_THROWS_AS(SentenceEncoder::parse(with_checksum(body), "pieces"), SentenceEncoderError);
  }
  {
    // A valid header and vocabulary, a tensor with a huge shape.
    std::string body = "BFSE";
    put_u32(body, 1);
    put_u32(body, 0);
    put_u32(body, 1);
    body += '\x01';
    body += 'a';
    body.append(8, '\0');
    put_u32(body, 1);
    body += '\x01';
    body += 'e';
    body += '\x02';
    put_u32(body, 1u << 24);
    put_u32(body, 1u << 24);
    CHECK_THROWS_WITH(SentenceEncoder::parse(with_checksum(body), "shape"), Catch::Contains("truncated"));
    // Well-formed but no network.
    std::string empty = "BFSE";
    put_u32(empty, 1);
    put_u32(empty, 0);
    put_u32(empty, 1);
    empty += '\x01';
    empty += 'a';
    empty.append(8, '\0');
    put_u32(empty, 0);
    CHECK_THROWS_WITH(SentenceEncoder::parse(with_checksum(empty), "bare"), Catch::Contains("missing tensor"));
  }
  if (!real_model()) {
    WARN("SKIPPED (real file cases): " REGISTRY_SENTENCE_ENCODER_FILE " is absent");
    return;
  }
  const std::string good = read_file(REGISTRY_SENTENCE_ENCODER_FILE);
  // Truncated anywhere: an error (the checksum no longer matches, or a count runs past the end).
  for (std::size_t cut : {std::size_t{3}, std::size_t{11}, std::size_t{200}, good.size() / 2, good.size() - 1}) {
    CHECK_THROWS_AS(SentenceEncoder::parse(std::string_view(good).substr(0, cut), "cut"), SentenceEncoderError);
  }
  // One flipped bit in the weights: checksum mismatch.
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x10;
  CHECK_THROWS_WITH(SentenceEncoder::parse(flipped, "flipped"), Catch::Contains("checksum"));
  // Truncated with a recomputed checksum: the structure check catches it.
  const std::string body = good.substr(0, good.size() - 4);
  for (std::size_t cut : {std::size_t{20}, body.size() / 3, body.size() - 7}) {
    CHECK_THROWS_AS(SentenceEncoder::parse(with_checksum(body.substr(0, cut)), "cut+sum"), SentenceEncoderError);
  }
  // A NaN weight with a recomputed checksum.
  std::string nan = body;
  const std::uint32_t bits = 0x7FC00000u;
  for (int i = 0; i < 4; ++i) nan[nan.size() - 4 + static_cast<std::size_t>(i)] = static_cast<char>((bits >> (8 * i)) & 0xFF);
  CHECK_THROWS_WITH(SentenceEncoder::parse(with_checksum(nan), "nan"), Catch::Contains("non-finite"));
}

TEST_CASE("load_sentence_encoder_or_none: warning and null, never a throw", "[sentence_encoder]") {
  auto& gauge = metrics::Registry::global().gauge("botfactory_registry_sentence_encoder_bytes", "");
  CHECK(registry::load_sentence_encoder_or_none("/nonexistent/dir/use.bfse") == nullptr);
  CHECK(gauge.value() == 0);
  CHECK(registry::load_sentence_encoder_or_none("") == nullptr);
  const std::string path = (std::filesystem::temp_directory_path() / "sentence_encoder_test_bad.bfse").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << "BFSE garbage";
  }
  CHECK(registry::load_sentence_encoder_or_none(path) == nullptr);
  std::remove(path.c_str());
  if (real_model()) {
    auto loaded = registry::load_sentence_encoder_or_none(REGISTRY_SENTENCE_ENCODER_FILE);
    REQUIRE(loaded != nullptr);
    CHECK(gauge.value() > 20'000'000);
  }
}
