// bench_sentence_encoder: bot-registry's sentence encoder (USE-lite, sentence_encoder.hpp) on one
// thread: model load time, resident memory, tokenize() and embed() time (p50, p90) for texts of
// 8, 16, 32, 128 and 256 tokens (embed() reads the first 128). docs/benchmarks.md "Sentence encoder".
//   bench_sentence_encoder [MODEL] [RUNS]
//   bench_sentence_encoder MODEL --tokens FILE   one line of token ids (space-separated) per line
//                                               of FILE: to compare the tokenizer with the npm
//                                               package's on any text (docs/benchmarks.md)
// MODEL defaults to tools/sentence-encoder/use-lite-en.bfse, RUNS to 50 per length.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "sentence_encoder.hpp"

namespace {

using Clock = std::chrono::steady_clock;

/// VmRSS of this process in KiB (/proc/self/status), 0 when unknown.
long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  using botfactory::registry::SentenceEncoder;
  const std::string path = argc > 1 ? argv[1] : "tools/sentence-encoder/use-lite-en.bfse";
  if (argc > 3 && std::string(argv[2]) == "--tokens") {
    auto encoder = SentenceEncoder::load(path);
    std::ifstream in(argv[3]);
    std::string line;
    while (std::getline(in, line)) {
      std::string out;
      for (auto id : encoder->tokenize(line)) {
        if (!out.empty()) out += ' ';
        out += std::to_string(id);
      }
      std::cout << out << '\n';
    }
    return 0;
  }
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 50;
  const long rss0 = rss_kib();
  const auto t0 = Clock::now();
  auto encoder = SentenceEncoder::load(path);
  const double load_ms = ms_since(t0);
  const long rss1 = rss_kib();
  std::printf("model %s\nload %.0f ms; resident +%.1f MiB (heap %.1f MiB); %s\n\n", path.c_str(), load_ms,
              static_cast<double>(rss1 - rss0) / 1024, static_cast<double>(encoder->bytes()) / (1 << 20),
              encoder->source().c_str());

  const std::string words =
      "customers can return unused items within thirty days of delivery for a full refund and "
      "the shipping costs are paid by us when the parcel arrives damaged or the order is wrong ";
  std::printf("| tokens | tokenize p50 ms | embed p50 ms | embed p90 ms |\n|---:|---:|---:|---:|\n");
  for (std::size_t target : {8u, 16u, 32u, 128u, 256u}) {
    // Words appended until the text has `target` tokens (the last word may add one or two more).
    std::string text;
    for (std::size_t at = 0; encoder->tokenize(text).size() < target;) {
      const std::size_t end = words.find(' ', at);
      text += words.substr(at, end + 1 - at);
      at = end + 1 < words.size() ? end + 1 : 0;
    }
    const std::size_t tokens = encoder->tokenize(text).size();
    std::vector<double> tok_ms, embed_ms;
    float sink = 0;
    for (int r = 0; r < runs; ++r) {
      auto a = Clock::now();
      sink += static_cast<float>(encoder->tokenize(text).size());
      tok_ms.push_back(ms_since(a));
      a = Clock::now();
      sink += encoder->embed(text)[0];
      embed_ms.push_back(ms_since(a));
    }
    std::printf("| %zu | %.3f | %.2f | %.2f |%s\n", tokens, percentile(tok_ms, 0.5), percentile(embed_ms, 0.5),
                percentile(embed_ms, 0.9), sink == 12345.f ? " " : "");
  }
  std::printf("\nresident after the runs: %.1f MiB total\n", static_cast<double>(rss_kib()) / 1024);
  return 0;
}
