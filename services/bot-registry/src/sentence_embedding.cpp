#include "sentence_embedding.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "botfactory/text/words.hpp"

namespace botfactory::registry {

double QuantizedEmbedding::cosine(std::span<const float> unit_query) const {
  const std::size_t n = std::min(q.size(), unit_query.size());
  double dot = 0, len = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double v = q[i];
    dot += v * unit_query[i];
    len += v * v;
  }
  return len > 0 ? dot / std::sqrt(len) : 0.0;  // the scale cancels out
}

QuantizedEmbedding quantize(std::span<const float> vector) {
  QuantizedEmbedding out;
  float top = 0;
  for (float x : vector) top = std::max(top, std::fabs(x));
  out.scale = top > 0 ? top / 127.0f : 0.0f;
  out.q.resize(vector.size());
  for (std::size_t i = 0; i < vector.size(); ++i) {
    const float v = out.scale > 0 ? std::nearbyint(vector[i] / out.scale) : 0.0f;
    out.q[i] = static_cast<std::int8_t>(std::clamp(v, -127.0f, 127.0f));
  }
  return out;
}

std::string encode_embedding(const QuantizedEmbedding& embedding) {
  std::string out(1 + 4 + embedding.q.size(), '\0');
  out[0] = static_cast<char>(kEmbeddingFormat);
  std::uint32_t bits = std::bit_cast<std::uint32_t>(embedding.scale);
  for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<char>((bits >> (8 * i)) & 0xff);
  std::memcpy(out.data() + 5, embedding.q.data(), embedding.q.size());
  return out;
}

std::string encode_no_title() { return std::string(1, static_cast<char>(kEmbeddingFormat)); }

StoredEmbedding decode_embedding(std::string_view bytes) {
  StoredEmbedding out;
  if (bytes.empty() || static_cast<std::uint8_t>(bytes[0]) != kEmbeddingFormat) return out;
  if (bytes.size() == 1) {
    out.kind = StoredEmbedding::Kind::no_title;
    return out;
  }
  if (bytes.size() != 5 + kEmbeddingDims) return out;
  std::uint32_t bits = 0;
  for (int i = 0; i < 4; ++i) bits |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[1 + i])) << (8 * i);
  out.vector.scale = std::bit_cast<float>(bits);
  if (!std::isfinite(out.vector.scale)) return out;
  out.vector.q.resize(kEmbeddingDims);
  std::memcpy(out.vector.q.data(), bytes.data() + 5, kEmbeddingDims);
  out.kind = StoredEmbedding::Kind::vector;
  return out;
}

bool has_title_text(std::string_view title) {
  text::WordReader reader(title);
  text::Word word;
  return reader.next(word);
}

std::string bytea_param(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + 2 * bytes.size());
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string bytea_value(std::string_view text) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) return {};
  std::string out;
  out.reserve((text.size() - 2) / 2);
  for (std::size_t i = 2; i < text.size(); i += 2) {
    int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return {};
    out += static_cast<char>(hi << 4 | lo);
  }
  return out;
}

}  // namespace botfactory::registry
