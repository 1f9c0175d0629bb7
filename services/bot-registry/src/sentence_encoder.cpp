// SentenceEncoder: the .bfse file parser, the choice of forward-pass build (avx2 or generic) and
// the batching of texts for it. The forward pass itself: sentence_encoder_kernel.cpp.
#include "sentence_encoder.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "botfactory/common/text.hpp"
#include "sentence_encoder_kernel.hpp"
#include "botfactory/common/checksum.hpp"

namespace botfactory::registry {

struct SentenceEncoder::Layer {
  std::size_t in = 0;  // input width (256 for layer 0, 512 for layer 1)
  float attention_scale = 0;
  std::vector<float> ln1_scale, ln1_bias, qkv_kernel, qkv_bias, out_kernel, out_bias;
  std::vector<float> ln2_scale, ln2_bias, ffn1_kernel, ffn1_bias, ffn2_kernel, ffn2_bias;
};

SentenceEncoder::SentenceEncoder() = default;
SentenceEncoder::~SentenceEncoder() = default;

namespace {

constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kMaxFileBytes = 512u << 20;
constexpr std::size_t kMaxPieces = 1'000'000;
constexpr std::size_t kMaxTensors = 256;
constexpr std::size_t kMaxDim = 1u << 24;
constexpr std::size_t kMaxSourceBytes = 4096;

struct Tensor {
  std::vector<std::size_t> shape;
  std::vector<float> values;
};

/// Bounds-checked little-endian reader over the file's bytes.
class Reader {
 public:
  Reader(std::string_view bytes, const std::string& name) : bytes_(bytes), name_(name) {}
  [[noreturn]] void fail(const std::string& what) const {
    throw SentenceEncoderError("sentence encoder " + name_ + ": " + what + " (at byte " + std::to_string(at_) + ")");
  }
  std::string_view take(std::size_t n, const char* what) {
    if (n > bytes_.size() - at_) fail(std::string("truncated in ") + what);
    auto out = bytes_.substr(at_, n);
    at_ += n;
    return out;
  }
  std::uint32_t u32(const char* what) {
    auto b = take(4, what);
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[static_cast<std::size_t>(i)]);
    return v;
  }
  std::uint8_t u8(const char* what) { return static_cast<std::uint8_t>(take(1, what)[0]); }
  double f64(const char* what) {
    auto b = take(8, what);
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[static_cast<std::size_t>(i)]);
    double d;
    std::memcpy(&d, &v, 8);
    return d;
  }
  std::size_t remaining() const { return bytes_.size() - at_; }

 private:
  std::string_view bytes_;
  const std::string& name_;
  std::size_t at_ = 0;
};

[[noreturn]] void bad_model(const std::string& name, const std::string& what) {
  throw SentenceEncoderError("sentence encoder " + name + ": " + what);
}

}  // namespace

bool SentenceEncoder::avx2_available() {
#if defined(BOTFACTORY_ENCODER_AVX2_KERNEL) && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static const bool available = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return available;
#else
  return false;
#endif
}

SentenceEncoder::Kernel SentenceEncoder::parse_kernel(std::string_view name) {
  if (name.empty() || name == "auto") return Kernel::automatic;
  if (name == "generic") return Kernel::generic;
  if (name == "avx2") return Kernel::avx2;
  throw std::invalid_argument("sentence encoder kernel \"" + std::string(name) +
                              "\": expected auto, generic or avx2");
}

std::shared_ptr<const SentenceEncoder> SentenceEncoder::load(const std::string& path, Kernel kernel) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SentenceEncoderError("sentence encoder " + path + ": cannot open");
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::streamoff>(in.tellg());
  if (size < 0) throw SentenceEncoderError("sentence encoder " + path + ": cannot read");
  if (static_cast<std::size_t>(size) > kMaxFileBytes) {
    throw SentenceEncoderError("sentence encoder " + path + ": larger than 512 MiB");
  }
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), size)) throw SentenceEncoderError("sentence encoder " + path + ": cannot read");
  return parse(bytes, path, kernel);
}

std::shared_ptr<const SentenceEncoder> SentenceEncoder::parse(std::string_view bytes, const std::string& name,
                                                              Kernel kernel) {
  if (kernel == Kernel::avx2 && !avx2_available()) {
    bad_model(name, "the avx2 kernel cannot run here (not built in, or the CPU lacks AVX2/FMA)");
  }
  if (bytes.size() < 12) bad_model(name, "too short for a header and checksum");
  if (bytes.substr(0, 4) != "BFSE") bad_model(name, "not a sentence encoder file (magic)");
  {
    const std::string_view body = bytes.substr(0, bytes.size() - 4);
    Reader tail(bytes.substr(bytes.size() - 4), name);
    if (tail.u32("checksum") != common::fnv1a32(body)) bad_model(name, "checksum mismatch (corrupt or truncated file)");
    bytes = body;
  }
  Reader in(bytes, name);
  in.take(4, "magic");
  const std::uint32_t version = in.u32("version");
  if (version != kVersion) in.fail("unsupported version " + std::to_string(version));

  auto encoder = std::make_shared<SentenceEncoder>();
  const std::uint32_t source_bytes = in.u32("source length");
  if (source_bytes > kMaxSourceBytes) in.fail("source longer than 4096 bytes");
  encoder->source_ = std::string(in.take(source_bytes, "source"));

  const std::uint32_t count = in.u32("piece count");
  if (count == 0 || count > kMaxPieces) in.fail("piece count out of range");
  if (count > in.remaining() / 9) in.fail("truncated in pieces");
  std::vector<SentencePiece> pieces(count);
  for (auto& p : pieces) {
    const std::uint8_t len = in.u8("piece length");
    p.piece = std::string(in.take(len, "piece"));
    if (!common::is_valid_utf8(p.piece)) in.fail("piece is not valid UTF-8");
    p.score = in.f64("piece score");
    if (!std::isfinite(p.score)) in.fail("piece score not finite");
  }

  const std::uint32_t tensor_count = in.u32("tensor count");
  if (tensor_count > kMaxTensors) in.fail("tensor count out of range");
  std::map<std::string, Tensor, std::less<>> tensors;
  for (std::uint32_t t = 0; t < tensor_count; ++t) {
    const std::uint8_t name_len = in.u8("tensor name length");
    std::string tensor_name(in.take(name_len, "tensor name"));
    const std::uint8_t rank = in.u8("tensor rank");
    if (rank > 4) in.fail("tensor " + tensor_name + ": rank over 4");
    Tensor tensor;
    std::size_t n = 1;
    for (std::uint8_t i = 0; i < rank; ++i) {
      const std::uint32_t dim = in.u32("tensor shape");
      if (dim == 0 || dim > kMaxDim) in.fail("tensor " + tensor_name + ": dimension out of range");
      n *= dim;
      if (n > in.remaining() / 4) in.fail("tensor " + tensor_name + ": truncated");
      tensor.shape.push_back(dim);
    }
    const std::string_view data = in.take(n * 4, "tensor data");
    tensor.values.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      std::uint32_t v = 0;
      for (int b = 3; b >= 0; --b) v = (v << 8) | static_cast<unsigned char>(data[i * 4 + static_cast<std::size_t>(b)]);
      float f;
      std::memcpy(&f, &v, 4);
      if (!std::isfinite(f)) in.fail("tensor " + tensor_name + ": non-finite value");
      tensor.values[i] = f;
    }
    if (!tensors.emplace(tensor_name, std::move(tensor)).second) in.fail("tensor " + tensor_name + " twice");
  }
  if (in.remaining() != 0) in.fail("trailing bytes after the tensors");

  // Assemble the network, checking every shape against the others.
  auto take = [&](const std::string& tensor_name, std::vector<std::size_t> shape) -> std::vector<float> {
    auto it = tensors.find(tensor_name);
    if (it == tensors.end()) bad_model(name, "missing tensor " + tensor_name);
    if (it->second.shape != shape) {
      std::ostringstream s;
      s << "tensor " << tensor_name << ": shape [";
      for (std::size_t i = 0; i < it->second.shape.size(); ++i) s << (i ? "," : "") << it->second.shape[i];
      s << "], expected [";
      for (std::size_t i = 0; i < shape.size(); ++i) s << (i ? "," : "") << shape[i];
      s << "]";
      bad_model(name, s.str());
    }
    return std::move(it->second.values);
  };
  auto scalar = [&](const std::string& tensor_name) { return take(tensor_name, {})[0]; };
  auto integer = [&](const std::string& tensor_name, float lo, float hi) {
    const float v = scalar(tensor_name);
    if (!(v >= lo && v <= hi) || v != std::floor(v)) bad_model(name, tensor_name + " out of range");
    return static_cast<std::size_t>(v);
  };

  auto emb = tensors.find("embeddings");
  if (emb == tensors.end()) bad_model(name, "missing tensor embeddings");
  if (emb->second.shape.size() != 2) bad_model(name, "tensor embeddings: rank is not 2");
  const std::size_t rows = emb->second.shape[0];
  const std::size_t d0 = emb->second.shape[1];
  if (rows < count) bad_model(name, "embeddings have fewer rows than the vocabulary has pieces");
  if (d0 % 2 != 0 || d0 > 4096) bad_model(name, "embedding width odd or over 4096");
  const std::size_t d = kDims;
  auto ffn = tensors.find("layer0.ffn1.kernel");
  if (ffn == tensors.end() || ffn->second.shape.size() != 2) bad_model(name, "missing tensor layer0.ffn1.kernel");
  const std::size_t f = ffn->second.shape[1];
  if (f > 16384) bad_model(name, "feed-forward width over 16384");

  encoder->vocab_rows_ = rows;
  encoder->model_dims_ = d0;
  encoder->embeddings_ = take("embeddings", {rows, d0});
  encoder->inv_timescales_ = take("timing.inv_timescales", {d0 / 2});
  encoder->heads_ = integer("heads", 1, 64);
  encoder->ln_epsilon_ = scalar("layer_norm_epsilon");
  encoder->l2_epsilon_ = scalar("l2_epsilon");
  encoder->max_tokens_ = integer("max_tokens", 1, 4096);
  if (!(encoder->ln_epsilon_ > 0) || !(encoder->l2_epsilon_ > 0)) bad_model(name, "epsilon not positive");
  for (std::size_t l = 0; l < 2; ++l) {
    const std::string p = "layer" + std::to_string(l) + ".";
    Layer layer;
    layer.in = l == 0 ? d0 : d;
    const std::size_t in_dim = layer.in;
    if (in_dim % encoder->heads_ != 0) bad_model(name, p + " width not a multiple of the head count");
    layer.attention_scale = scalar(p + "attention_scale");
    layer.ln1_scale = take(p + "ln1.scale", {in_dim});
    layer.ln1_bias = take(p + "ln1.bias", {in_dim});
    layer.qkv_kernel = take(p + "qkv.kernel", {in_dim, 3 * in_dim});
    layer.qkv_bias = take(p + "qkv.bias", {3 * in_dim});
    layer.out_kernel = take(p + "out.kernel", {in_dim, d});
    layer.out_bias = take(p + "out.bias", {d});
    layer.ln2_scale = take(p + "ln2.scale", {d});
    layer.ln2_bias = take(p + "ln2.bias", {d});
    layer.ffn1_kernel = take(p + "ffn1.kernel", {d, f});
    layer.ffn1_bias = take(p + "ffn1.bias", {f});
    layer.ffn2_kernel = take(p + "ffn2.kernel", {f, d});
    layer.ffn2_bias = take(p + "ffn2.bias", {d});
    encoder->layers_.push_back(std::move(layer));
  }
  encoder->residual_kernel_ = take("layer0.residual.kernel", {d0, d});
  encoder->residual_bias_ = take("layer0.residual.bias", {d});
  encoder->pool_kernel_ = take("pool.kernel", {d, d});
  encoder->pool_bias_ = take("pool.bias", {d});
  encoder->tokenizer_ = std::make_unique<SentenceTokenizer>(std::move(pieces));

  auto w = std::make_unique<encoder_kernel::Weights>();
  w->d0 = d0;
  w->d = d;
  w->f = f;
  w->heads = encoder->heads_;
  w->ln_epsilon = encoder->ln_epsilon_;
  w->l2_epsilon = encoder->l2_epsilon_;
  w->embeddings = encoder->embeddings_.data();
  w->inv_timescales = encoder->inv_timescales_.data();
  for (std::size_t l = 0; l < 2; ++l) {
    const Layer& from = encoder->layers_[l];
    auto& to = w->layers[l];
    to.in = from.in;
    to.attention_scale = from.attention_scale;
    to.ln1_scale = from.ln1_scale.data();
    to.ln1_bias = from.ln1_bias.data();
    to.qkv_kernel = from.qkv_kernel.data();
    to.qkv_bias = from.qkv_bias.data();
    to.out_kernel = from.out_kernel.data();
    to.out_bias = from.out_bias.data();
    to.ln2_scale = from.ln2_scale.data();
    to.ln2_bias = from.ln2_bias.data();
    to.ffn1_kernel = from.ffn1_kernel.data();
    to.ffn1_bias = from.ffn1_bias.data();
    to.ffn2_kernel = from.ffn2_kernel.data();
    to.ffn2_bias = from.ffn2_bias.data();
  }
  w->residual_kernel = encoder->residual_kernel_.data();
  w->residual_bias = encoder->residual_bias_.data();
  w->pool_kernel = encoder->pool_kernel_.data();
  w->pool_bias = encoder->pool_bias_.data();
  encoder->weights_ = std::move(w);
  encoder->kernel_avx2_ = kernel == Kernel::avx2 || (kernel == Kernel::automatic && avx2_available());
  return encoder;
}

std::vector<std::int32_t> SentenceEncoder::tokenize(std::string_view utf8) const {
  if (utf8.size() > kMaxInputBytes) {
    // Cut before a lead byte so no character is split (a split one would become U+FFFD).
    std::size_t cut = kMaxInputBytes;
    while (cut > 0 && (static_cast<unsigned char>(utf8[cut]) & 0xC0) == 0x80) --cut;
    utf8 = utf8.substr(0, cut);
  }
  return tokenizer_->encode(utf8);
}

std::vector<float> SentenceEncoder::embed(std::string_view utf8) const {
  const auto ids = tokenize(utf8);
  return embed_tokens(ids);
}

std::vector<float> SentenceEncoder::embed_tokens(std::span<const std::int32_t> ids) const {
  const std::size_t n = std::min(ids.size(), max_tokens_);
  for (std::size_t p = 0; p < n; ++p) {
    if (ids[p] < 0 || static_cast<std::size_t>(ids[p]) >= vocab_rows_) {
      throw std::out_of_range("sentence encoder: token id " + std::to_string(ids[p]) + " outside the vocabulary");
    }
  }
  std::vector<std::vector<std::int32_t>> one{std::vector<std::int32_t>(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n))};
  std::vector<std::vector<float>> out(1);
  forward(one, 0, 1, out);
  return std::move(out[0]);
}

std::vector<std::vector<float>> SentenceEncoder::embed_batch(const std::vector<std::string_view>& utf8) const {
  std::vector<std::vector<std::int32_t>> ids;
  ids.reserve(utf8.size());
  for (const auto text : utf8) {
    ids.push_back(tokenize(text));  // the tokenizer's ids are always in the vocabulary
    if (ids.back().size() > max_tokens_) ids.back().resize(max_tokens_);
  }
  std::vector<std::vector<float>> out(utf8.size());
  for (std::size_t from = 0; from < ids.size();) {
    std::size_t to = from, rows = 0;
    while (to < ids.size() && (to == from || rows + ids[to].size() <= kBatchTokens)) rows += ids[to++].size();
    forward(ids, from, to, out);
    from = to;
  }
  return out;
}

void SentenceEncoder::forward(const std::vector<std::vector<std::int32_t>>& ids, std::size_t from, std::size_t to,
                              std::vector<std::vector<float>>& out) const {
  std::vector<encoder_kernel::Text> texts;
  texts.reserve(to - from);
  for (std::size_t i = from; i < to; ++i) texts.push_back({ids[i].data(), ids[i].size()});
  std::vector<float> flat(texts.size() * kDims);
  encoder_kernel::Forward kernel = botfactory_sentence_encoder_forward_generic;
#if defined(BOTFACTORY_ENCODER_AVX2_KERNEL)
  if (kernel_avx2_) kernel = botfactory_sentence_encoder_forward_avx2;
#endif
  kernel(weights_.get(), texts.data(), texts.size(), flat.data());
  for (std::size_t i = from; i < to; ++i) {
    const auto at = flat.begin() + static_cast<std::ptrdiff_t>((i - from) * kDims);
    out[i].assign(at, at + static_cast<std::ptrdiff_t>(kDims));
  }
}

std::size_t SentenceEncoder::bytes() const {
  std::size_t floats = embeddings_.size() + inv_timescales_.size() + residual_kernel_.size() +
                       residual_bias_.size() + pool_kernel_.size() + pool_bias_.size();
  for (const Layer& l : layers_) {
    floats += l.ln1_scale.size() + l.ln1_bias.size() + l.qkv_kernel.size() + l.qkv_bias.size() +
              l.out_kernel.size() + l.out_bias.size() + l.ln2_scale.size() + l.ln2_bias.size() +
              l.ffn1_kernel.size() + l.ffn1_bias.size() + l.ffn2_kernel.size() + l.ffn2_bias.size();
  }
  return floats * sizeof(float) + (tokenizer_ ? tokenizer_->bytes() : 0) + source_.size();
}

}  // namespace botfactory::registry
