#pragma once
// The shared harness of the model-file fuzz targets (word_vectors, sentence_encoder_file): both
// formats (tools/word-vectors/convert.mjs, tools/sentence-encoder/convert.mjs) end with the
// FNV-1a 32-bit checksum of everything before it, little-endian.

#include <cstddef>
#include <cstdint>
#include <string>

#include "botfactory/common/checksum.hpp"

/// Runs `body` on the file bytes of one fuzz input and lets only the parser's refusal `Error`
/// out of it unreported. The input's byte 0 selects the mode: even = the rest as it is; odd =
/// the rest with its correct checksum appended (so mutations get past the checksum to the
/// structure). An empty input is skipped. `body(const std::string& bytes)` parses the bytes and
/// FUZZ_CHECKs what it returned; any other exception is a crash to libFuzzer. Returns 0 (the
/// value LLVMFuzzerTestOneInput returns).
template <typename Error, typename Body>
int fuzz_model_file(const std::uint8_t* data, std::size_t size, Body&& body) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    std::uint32_t h = botfactory::common::fnv1a32(bytes);
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((h >> (8 * i)) & 0xFF));
  }
  try {
    body(bytes);
  } catch (const Error&) {
  }
  return 0;
}
