#pragma once
// The USE-lite forward pass (sentence_encoder.hpp) over plain weight pointers, as C-linkage entry
// points so that one source file (sentence_encoder_kernel.cpp) can be compiled twice: once with
// the default flags (any x86-64, any architecture) and, on x86-64, once with -mavx2 -mfma. The
// AVX2 object keeps only its entry point global (services/bot-registry/CMakeLists.txt localises
// every other symbol), so the linker can never pick its AVX2 copies of Eigen's or the standard
// library's inline templates for the rest of the program (the ODR hazard of mixed flags).
// SentenceEncoder chooses the entry point once per encoder at load (sentence_encoder.cpp).

#include <cstddef>
#include <cstdint>

namespace botfactory::registry::encoder_kernel {

/// One Transformer layer; every pointer is row-major float data owned by the SentenceEncoder.
struct LayerWeights {
  std::size_t in = 0;  // input width (256 for layer 0, 512 for layer 1)
  float attention_scale = 0;
  const float *ln1_scale = nullptr, *ln1_bias = nullptr;
  const float *qkv_kernel = nullptr, *qkv_bias = nullptr;  // [in, 3·in], [3·in]
  const float *out_kernel = nullptr, *out_bias = nullptr;  // [in, d], [d]
  const float *ln2_scale = nullptr, *ln2_bias = nullptr;   // [d]
  const float *ffn1_kernel = nullptr, *ffn1_bias = nullptr;  // [d, f], [f]
  const float *ffn2_kernel = nullptr, *ffn2_bias = nullptr;  // [f, d], [d]
};

/// The whole network (shapes checked by SentenceEncoder::parse).
struct Weights {
  std::size_t d0 = 0;     // embedding width (256)
  std::size_t d = 0;      // layer width and output floats (512)
  std::size_t f = 0;      // feed-forward width (1536)
  std::size_t heads = 0;  // attention heads; divides every layer's `in`
  float ln_epsilon = 0, l2_epsilon = 0;
  const float* embeddings = nullptr;      // [vocabulary, d0]
  const float* inv_timescales = nullptr;  // [d0/2]
  LayerWeights layers[2];
  const float *residual_kernel = nullptr, *residual_bias = nullptr;  // layer 0 [d0, d], [d]
  const float *pool_kernel = nullptr, *pool_bias = nullptr;          // [d, d], [d]
};

/// One text of a batch: `n` token ids, each a row of `embeddings` (checked by the caller).
struct Text {
  const std::int32_t* ids = nullptr;
  std::size_t n = 0;
};

/// Embeds `count` texts at once (their rows stacked, so the dense layers are one matrix product;
/// attention stays within each text) into `out`: count × d floats, each row of unit length.
using Forward = void (*)(const Weights* weights, const Text* texts, std::size_t count, float* out);

}  // namespace botfactory::registry::encoder_kernel

extern "C" {
/// The forward pass built with the default flags (runs on any CPU of the target architecture).
void botfactory_sentence_encoder_forward_generic(const botfactory::registry::encoder_kernel::Weights* weights,
                                                 const botfactory::registry::encoder_kernel::Text* texts,
                                                 std::size_t count, float* out);
/// The same built with -mavx2 -mfma (x86-64 only, when BOTFACTORY_ENCODER_AVX2_KERNEL is
/// defined); call only when the CPU reports avx2 and fma.
void botfactory_sentence_encoder_forward_avx2(const botfactory::registry::encoder_kernel::Weights* weights,
                                              const botfactory::registry::encoder_kernel::Text* texts,
                                              std::size_t count, float* out);
}
