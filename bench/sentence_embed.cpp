// bench_sentence_embed: the sentence encoder's embeddings of many texts, for the ranking
// prototype (bench/retrieval_prototype/sentence.py; docs/benchmarks.md "Sentence-encoder
// re-rank (issue 7)").
//   bench_sentence_embed MODEL IN.json OUT.f32
// IN.json: a JSON array of UTF-8 strings. OUT.f32: for each, in order, SentenceEncoder::kDims
// little-endian float32 (what SentenceEncoder::embed returns; the product stores them int8 +
// scale, which the prototype does not model). Prints the count and the time to stderr.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <boost/json.hpp>

#include "sentence_encoder.hpp"

int main(int argc, char** argv) try {
  if (argc != 4) {
    std::cerr << "usage: bench_sentence_embed MODEL IN.json OUT.f32\n";
    return 2;
  }
  auto encoder = botfactory::registry::SentenceEncoder::load(argv[1]);
  std::ifstream in(argv[2]);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto texts = boost::json::parse(buffer.str()).as_array();
  std::ofstream out(argv[3], std::ios::binary);
  auto started = std::chrono::steady_clock::now();
  for (const auto& t : texts) {
    auto v = encoder->embed(std::string(t.as_string()));
    out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cerr << texts.size() << " texts embedded in " << s << " s\n";
  return out ? 0 : 1;
} catch (const std::exception& e) {
  std::cerr << "bench_sentence_embed: " << e.what() << std::endl;
  return 1;
}
