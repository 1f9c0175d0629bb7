// Fuzz target: the word-vector file parser (services/bot-registry/src/word_vectors.cpp, the
// format of tools/word-vectors/convert.mjs).
// Input: byte 0 selects the mode: even = the rest as it is; odd = the rest with its correct
// FNV-1a checksum appended (so mutations get past the checksum to the structure;
// model_file_input.hpp).
// Properties:
// - parse() either returns vectors or throws WordVectorsError (nothing else, no crash);
// - returned vectors: 1..1024 dims, at least one word, every word found again at an index
//   below size(), add_to() of the last word stays in bounds, SIF weights in (0, 1].
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "model_file_input.hpp"
#include "word_vectors.hpp"

using botfactory::registry::WordVectors;
using botfactory::registry::WordVectorsError;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz_model_file<WordVectorsError>(data, size, [](const std::string& bytes) {
    auto v = WordVectors::parse(bytes, "fuzz");
    FUZZ_CHECK(v->dims() >= 1 && v->dims() <= 1024);
    FUZZ_CHECK(v->size() >= 1);
    std::vector<float> acc(v->dims(), 0.0f);
    v->add_to(static_cast<std::int64_t>(v->size()) - 1, 1.0f, acc.data());
    float w = v->sif_weight(0, 1e-3f);
    FUZZ_CHECK(w > 0.0f && w <= 1.0f);
    FUZZ_CHECK(v->find("") == -1);
    FUZZ_CHECK(v->bytes() >= v->size() * v->dims());
  });
}
