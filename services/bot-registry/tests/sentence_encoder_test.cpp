// Unit tests of the sentence tokenizer and encoder (sentence_tokenizer.hpp, sentence_encoder.hpp):
// token ids and embeddings against the npm reference (tests/data/sentence_encoder_reference.json,
// made by tools/sentence-encoder/reference.mjs), and bad model files.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <optional>
#include <sstream>
#include <thread>

#include "botfactory/metrics/registry.hpp"
#include "sentence_encoder.hpp"
#include "botfactory/common/checksum.hpp"

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

/// `body` (a file without its checksum) with the checksum appended.
std::string with_checksum(std::string body) {
  put_u32(body, common::fnv1a32(body));
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

namespace {

struct ReferenceSentence {
  std::string text;
  std::vector<std::int32_t> tokens;
  std::vector<double> embedding;
};

/// tests/data/sentence_encoder_reference.json: texts, the npm package's token ids and vectors.
const std::vector<ReferenceSentence>& reference() {
  static const std::vector<ReferenceSentence> sentences = [] {
    std::vector<ReferenceSentence> out;
    const auto doc = boost::json::parse(read_file(REGISTRY_SENTENCE_FIXTURE));
    for (const auto& s : doc.at("sentences").as_array()) {
      ReferenceSentence r;
      r.text = std::string(s.at("text").as_string());
      for (const auto& t : s.at("tokens").as_array()) r.tokens.push_back(static_cast<std::int32_t>(t.as_int64()));
      for (const auto& v : s.at("embedding").as_array()) r.embedding.push_back(v.to_number<double>());
      out.push_back(std::move(r));
    }
    return out;
  }();
  return sentences;
}

template <typename A, typename B>
double cosine(const A& a, const B& b) {
  double dot = 0, na = 0, nb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    dot += static_cast<double>(a[i]) * static_cast<double>(b[i]);
    na += static_cast<double>(a[i]) * static_cast<double>(a[i]);
    nb += static_cast<double>(b[i]) * static_cast<double>(b[i]);
  }
  return dot / std::sqrt(na * nb);
}

/// Checks `model`'s tokens and unit-length embeddings against the npm reference (cosine ≥
/// 0.9999 each); returns the smallest cosine.
double check_against_reference(const SentenceEncoder& model) {
  const auto& sentences = reference();
  REQUIRE(sentences.size() >= 20);
  double min_cosine = 1;
  for (const auto& s : sentences) {
    INFO("kernel " << model.kernel() << ", text: " << s.text);
    CHECK(model.tokenize(s.text) == s.tokens);
    REQUIRE(s.embedding.size() == SentenceEncoder::kDims);
    const auto got = model.embed(s.text);
    REQUIRE(got.size() == SentenceEncoder::kDims);
    double ng = 0;
    for (float v : got) ng += static_cast<double>(v) * v;
    CHECK(std::abs(std::sqrt(ng) - 1) < 1e-5);
    const double c = cosine(got, s.embedding);
    CHECK(c >= 0.9999);
    min_cosine = std::min(min_cosine, c);
  }
  return min_cosine;
}

/// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

double kernel_gauge(const char* kernel) {
  return static_cast<double>(metrics::Registry::global()
                                 .gauge("botfactory_registry_sentence_encoder_kernel", "",
                                        std::string("kernel=\"") + kernel + "\"")
                                 .value());
}

}  // namespace

TEST_CASE("sentence encoder: token ids and embeddings match the npm reference", "[sentence_encoder]") {
  auto model = real_model();
  if (!model) {
    WARN("SKIPPED: " REGISTRY_SENTENCE_ENCODER_FILE " is absent (scripts/setup.sh converts it)");
    SUCCEED();
    return;
  }
  CHECK(model->kernel() == (SentenceEncoder::avx2_available() ? "avx2" : "generic"));
  const double min_cosine = check_against_reference(*model);
  WARN("kernel " << model->kernel() << ": minimum cosine to the reference: 1 - " << std::setprecision(3)
                 << (1 - min_cosine));
}

TEST_CASE("sentence encoder: the generic kernel, forced, matches the reference", "[sentence_encoder]") {
  if (!real_model()) {
    WARN("SKIPPED: " REGISTRY_SENTENCE_ENCODER_FILE " is absent (scripts/setup.sh converts it)");
    SUCCEED();
    return;
  }
  // Through the service's setting, as an operator would force it.
  ScopedEnv env("REGISTRY_SENTENCE_ENCODER_KERNEL", "generic");
  auto generic = registry::load_sentence_encoder_or_none(REGISTRY_SENTENCE_ENCODER_FILE);
  REQUIRE(generic != nullptr);
  CHECK(generic->kernel() == "generic");
  CHECK(kernel_gauge("generic") == 1);
  CHECK(kernel_gauge("avx2") == 0);
  const double min_cosine = check_against_reference(*generic);
  WARN("kernel generic: minimum cosine to the reference: 1 - " << std::setprecision(3) << (1 - min_cosine));
  // The two builds agree with each other too (each is the same arithmetic up to rounding).
  // The forced generic build really is a different code path (FMA rounds differently), not
  // the AVX2 one merged in by the linker.
  if (SentenceEncoder::avx2_available()) {
    bool differ = false;
    for (const auto& s : reference()) {
      const auto a = generic->embed(s.text);
      const auto b = real_model()->embed(s.text);
      CHECK(cosine(a, b) >= 0.99999);
      differ = differ || a != b;
    }
    CHECK(differ);
  }
}

TEST_CASE("sentence encoder: the avx2 kernel matches the reference where the CPU has it", "[sentence_encoder]") {
  CHECK(SentenceEncoder::parse_kernel("") == SentenceEncoder::Kernel::automatic);
  CHECK(SentenceEncoder::parse_kernel("auto") == SentenceEncoder::Kernel::automatic);
  CHECK(SentenceEncoder::parse_kernel("generic") == SentenceEncoder::Kernel::generic);
  CHECK(SentenceEncoder::parse_kernel("avx2") == SentenceEncoder::Kernel::avx2);
  CHECK_THROWS_WITH(SentenceEncoder::parse_kernel("avx512"), Catch::Contains("auto, generic or avx2"));
  if (!real_model()) {
    WARN("SKIPPED: " REGISTRY_SENTENCE_ENCODER_FILE " is absent (scripts/setup.sh converts it)");
    SUCCEED();
    return;
  }
  {
    // A bad value is a warning and means auto.
    ScopedEnv env("REGISTRY_SENTENCE_ENCODER_KERNEL", "fastest");
    auto model = registry::load_sentence_encoder_or_none(REGISTRY_SENTENCE_ENCODER_FILE);
    REQUIRE(model != nullptr);
    CHECK(model->kernel() == real_model()->kernel());
  }
  if (!SentenceEncoder::avx2_available()) {
    CHECK_THROWS_WITH(SentenceEncoder::load(REGISTRY_SENTENCE_ENCODER_FILE, SentenceEncoder::Kernel::avx2),
                      Catch::Contains("avx2"));
    WARN("SKIPPED: no AVX2+FMA kernel on this CPU/build");
    return;
  }
  auto avx2 = SentenceEncoder::load(REGISTRY_SENTENCE_ENCODER_FILE, SentenceEncoder::Kernel::avx2);
  CHECK(avx2->kernel() == "avx2");
  const double min_cosine = check_against_reference(*avx2);
  WARN("kernel avx2: minimum cosine to the reference: 1 - " << std::setprecision(3) << (1 - min_cosine));
}

TEST_CASE("sentence encoder: embed_batch() gives embed()'s vectors", "[sentence_encoder]") {
  auto model = real_model();
  if (!model) {
    WARN("SKIPPED: " REGISTRY_SENTENCE_ENCODER_FILE " is absent (scripts/setup.sh converts it)");
    SUCCEED();
    return;
  }
  CHECK(model->embed_batch({}).empty());
  std::vector<std::string> texts;
  for (const auto& s : reference()) texts.push_back(s.text);
  // Empty texts amid others, a text past max_tokens(), and more tokens in all than one pass
  // takes (kBatchTokens), so the batch is split.
  texts.insert(texts.begin() + 3, "");
  std::string huge;
  while (huge.size() < 3 * SentenceEncoder::kMaxInputBytes) huge += "refund policy for Zürich orders ";
  texts.insert(texts.begin() + 7, huge);
  texts.push_back("");
  for (int i = 0; i < 20; ++i) texts.push_back("Where is my parcel number " + std::to_string(i) + "?");
  std::size_t tokens = 0;
  for (const auto& t : texts) tokens += std::min(model->tokenize(t).size(), model->max_tokens());
  REQUIRE(tokens > 2 * SentenceEncoder::kBatchTokens);
  const std::vector<std::string_view> views(texts.begin(), texts.end());
  for (const auto kernel : {SentenceEncoder::Kernel::generic, SentenceEncoder::Kernel::automatic}) {
    auto m = kernel == SentenceEncoder::Kernel::automatic ? model : SentenceEncoder::load(REGISTRY_SENTENCE_ENCODER_FILE, kernel);
    const auto batch = m->embed_batch(views);
    REQUIRE(batch.size() == texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
      INFO("kernel " << m->kernel() << ", text " << i);
      REQUIRE(batch[i].size() == SentenceEncoder::kDims);
      CHECK(cosine(batch[i], m->embed(texts[i])) >= 0.99999);
    }
  }
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
