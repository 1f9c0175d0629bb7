// Fuzz target: the sentence encoder's model file parser (services/bot-registry/src/
// sentence_encoder.cpp, the format of tools/sentence-encoder/convert.mjs).
// Input: byte 0 selects the mode: even = the rest as it is; odd = the rest with its correct
// FNV-1a checksum appended (so mutations get past the checksum to the structure;
// model_file_input.hpp).
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
#include "model_file_input.hpp"
#include "sentence_encoder.hpp"

using botfactory::registry::SentenceEncoder;
using botfactory::registry::SentenceEncoderError;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz_model_file<SentenceEncoderError>(data, size, [](const std::string& bytes) {
    auto encoder = SentenceEncoder::parse(bytes, "fuzz");
    const auto v = encoder->embed("hello world");
    FUZZ_CHECK(v.size() == SentenceEncoder::kDims);
    double n = 0;
    for (float x : v) {
      FUZZ_CHECK(std::isfinite(x));
      n += static_cast<double>(x) * x;
    }
    FUZZ_CHECK(std::abs(n - 1) < 1e-3);
  });
}
