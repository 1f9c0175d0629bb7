// Fuzz target: the sentence encoder's model file parser (services/bot-registry/src/
// sentence_encoder.cpp, the format of tools/sentence-encoder/convert.mjs).
// Input: byte 0 selects the mode: even = the rest as it is; odd = the rest with its correct
// FNV-1a checksum appended (so mutations get past the checksum to the structure).
// Properties:
// - parse() either returns an encoder or throws SentenceEncoderError (nothing else, no crash,
//   no read past the input, no allocation beyond what the input's size allows);
// - a returned encoder embeds a text into kDims finite floats of unit length.
// (A valid file needs 512-wide layers, megabytes: in practice every input is refused; the
// target exercises the header, vocabulary, tensor table and shape checks.)
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "sentence_encoder.hpp"

using botfactory::registry::SentenceEncoder;
using botfactory::registry::SentenceEncoderError;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    std::uint32_t h = 0x811c9dc5u;
    for (unsigned char c : bytes) {
      h ^= c;
      h *= 0x01000193u;
    }
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((h >> (8 * i)) & 0xFF));
  }
  try {
    auto encoder = SentenceEncoder::parse(bytes, "fuzz");
    const auto v = encoder->embed("hello world");
    FUZZ_CHECK(v.size() == SentenceEncoder::kDims);
    double n = 0;
    for (float x : v) {
      FUZZ_CHECK(std::isfinite(x));
      n += static_cast<double>(x) * x;
    }
    FUZZ_CHECK(std::abs(n - 1) < 1e-3);
  } catch (const SentenceEncoderError&) {
  }
  return 0;
}
