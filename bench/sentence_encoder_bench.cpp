// bench_sentence_encoder: bot-registry's sentence encoder (USE-lite, sentence_encoder.hpp) on one
// thread: model load time, resident memory, tokenize() and embed() time (p50, p90) for texts of
// 8, 16, 32, 128 and 256 tokens (embed() reads the first 128), for each forward-pass build this
// CPU can run (generic; avx2 when it has AVX2+FMA), then embed() one by one against
// embed_batch() over 64 texts. docs/benchmarks.md "Sentence encoder".
//   bench_sentence_encoder [MODEL] [RUNS]
//   bench_sentence_encoder [MODEL] --tokens FILE   one line of token ids (space-separated) per
//                                                 line of FILE: to compare the tokenizer with the
//                                                 npm package's on any text (docs/benchmarks.md)
//   bench_sentence_encoder [MODEL] --embed IN.json OUT.f32
//                                                 IN: a JSON array of strings (UTF-8); OUT gets
//                                                 kDims (512) float32 little-endian per string,
//                                                 in order, nothing else (for the retrieval
//                                                 prototype). Exit 2 on bad input, 1 on I/O.
// MODEL defaults to tools/sentence-encoder/use-lite-en.bfse, RUNS to 50 per length. The modes
// honour REGISTRY_SENTENCE_ENCODER_KERNEL (auto, generic, avx2).
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "sentence_encoder.hpp"

namespace {

using botfactory::registry::SentenceEncoder;
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

SentenceEncoder::Kernel kernel_from_env() {
  const char* env = std::getenv("REGISTRY_SENTENCE_ENCODER_KERNEL");
  return SentenceEncoder::parse_kernel(env ? env : "");
}

/// --tokens FILE: token ids per line.
int tokens_mode(const std::string& model, const std::string& file) {
  auto encoder = SentenceEncoder::load(model, kernel_from_env());
  std::ifstream in(file);
  if (!in) {
    std::cerr << "cannot open " << file << '\n';
    return 1;
  }
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

/// --embed IN.json OUT.f32: 512 float32 little-endian per string of the JSON array.
int embed_mode(const std::string& model, const std::string& in_path, const std::string& out_path) {
  std::ifstream in(in_path, std::ios::binary);
  if (!in) {
    std::cerr << "cannot open " << in_path << '\n';
    return 1;
  }
  std::ostringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  const auto doc = boost::json::parse(text.str(), ec);
  if (ec || !doc.is_array()) {
    std::cerr << in_path << ": not a JSON array" << (ec ? " (" + ec.message() + ")" : std::string()) << '\n';
    return 2;
  }
  std::vector<std::string_view> texts;
  for (const auto& v : doc.as_array()) {
    if (!v.is_string()) {
      std::cerr << in_path << ": element " << texts.size() << " is not a string\n";
      return 2;
    }
    texts.emplace_back(v.as_string().data(), v.as_string().size());
  }
  auto encoder = SentenceEncoder::load(model, kernel_from_env());
  const auto t0 = Clock::now();
  const auto vectors = encoder->embed_batch(texts);
  const double ms = ms_since(t0);
  std::string bytes;
  bytes.reserve(vectors.size() * SentenceEncoder::kDims * 4);
  for (const auto& v : vectors) {
    for (float f : v) {
      std::uint32_t bits;
      std::memcpy(&bits, &f, 4);
      for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
    }
  }
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())) || !out.flush()) {
    std::cerr << "cannot write " << out_path << '\n';
    return 1;
  }
  std::cerr << texts.size() << " texts × " << SentenceEncoder::kDims << " float32 → " << out_path << " ("
            << bytes.size() << " bytes; kernel " << encoder->kernel() << ", " << static_cast<long>(ms) << " ms)\n";
  return 0;
}

const std::string kWords =
    "customers can return unused items within thirty days of delivery for a full refund and "
    "the shipping costs are paid by us when the parcel arrives damaged or the order is wrong ";

/// Words of kWords from word `start` on, appended until the text has `target` tokens (the last
/// word may add one or two more).
std::string text_of(const SentenceEncoder& encoder, std::size_t target, std::size_t start = 0) {
  std::size_t at = 0;
  for (std::size_t w = 0; w < start; ++w) at = kWords.find(' ', at) + 1 < kWords.size() ? kWords.find(' ', at) + 1 : 0;
  std::string text;
  while (encoder.tokenize(text).size() < target) {
    const std::size_t end = kWords.find(' ', at);
    text += kWords.substr(at, end + 1 - at);
    at = end + 1 < kWords.size() ? end + 1 : 0;
  }
  return text;
}

void bench_kernel(const std::string& path, SentenceEncoder::Kernel kernel, int runs) {
  const long rss0 = rss_kib();
  const auto t0 = Clock::now();
  auto encoder = SentenceEncoder::load(path, kernel);
  const double load_ms = ms_since(t0);
  const long rss1 = rss_kib();
  // (The second load's resident figure includes heap the first one left to malloc.)
  std::printf("kernel %s: load %.0f ms; resident +%.1f MiB (heap %.1f MiB); %s\n\n",
              std::string(encoder->kernel()).c_str(), load_ms, static_cast<double>(rss1 - rss0) / 1024,
              static_cast<double>(encoder->bytes()) / (1 << 20), encoder->source().c_str());
  std::printf("| kernel | tokens | tokenize p50 ms | embed p50 ms | embed p90 ms |\n|---|---:|---:|---:|---:|\n");
  float sink = 0;
  for (std::size_t target : {8u, 16u, 32u, 128u, 256u}) {
    const std::string text = text_of(*encoder, target);
    const std::size_t tokens = encoder->tokenize(text).size();
    std::vector<double> tok_ms, embed_ms;
    for (int r = 0; r < runs; ++r) {
      auto a = Clock::now();
      sink += static_cast<float>(encoder->tokenize(text).size());
      tok_ms.push_back(ms_since(a));
      a = Clock::now();
      sink += encoder->embed(text)[0];
      embed_ms.push_back(ms_since(a));
    }
    std::printf("| %s | %zu | %.3f | %.2f | %.2f |\n", std::string(encoder->kernel()).c_str(), tokens,
                percentile(tok_ms, 0.5), percentile(embed_ms, 0.5), percentile(embed_ms, 0.9));
  }
  // Many texts (a backfill): embed() each against embed_batch() of all, p50 of the totals.
  constexpr std::size_t kTexts = 64;
  const int batch_runs = std::max(3, runs / 10);
  std::printf("\n| kernel | %zu texts of | embed() each ms/text | embed_batch() ms/text | speed-up |\n"
              "|---|---:|---:|---:|---:|\n", kTexts);
  for (std::size_t target : {8u, 32u, 128u}) {
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < kTexts; ++i) texts.push_back(text_of(*encoder, target, i));
    const std::vector<std::string_view> views(texts.begin(), texts.end());
    std::vector<double> each_ms, batch_ms;
    for (int r = 0; r < batch_runs; ++r) {
      auto a = Clock::now();
      for (const auto& t : texts) sink += encoder->embed(t)[0];
      each_ms.push_back(ms_since(a) / kTexts);
      a = Clock::now();
      sink += encoder->embed_batch(views)[0][0];
      batch_ms.push_back(ms_since(a) / kTexts);
    }
    const double each = percentile(each_ms, 0.5), batch = percentile(batch_ms, 0.5);
    std::printf("| %s | %zu tokens | %.2f | %.2f | %.1f× |\n", std::string(encoder->kernel()).c_str(), target, each,
                batch, each / batch);
  }
  std::printf("%s\n", sink == 12345.f ? " " : "");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string path = "tools/sentence-encoder/use-lite-en.bfse";
  if (!args.empty() && args[0].rfind("--", 0) != 0) {
    path = args[0];
    args.erase(args.begin());
  }
  try {
    if (args.size() >= 2 && args[0] == "--tokens") return tokens_mode(path, args[1]);
    if (args.size() >= 3 && args[0] == "--embed") return embed_mode(path, args[1], args[2]);
    if (!args.empty() && args[0].rfind("--", 0) == 0) {
      std::cerr << "usage: bench_sentence_encoder [MODEL] [RUNS | --tokens FILE | --embed IN.json OUT.f32]\n";
      return 2;
    }
    const int runs = !args.empty() ? std::max(1, std::atoi(args[0].c_str())) : 50;
    std::printf("model %s\navx2 kernel: %s\n\n", path.c_str(),
                SentenceEncoder::avx2_available() ? "available (AVX2+FMA)" : "not available here");
    bench_kernel(path, SentenceEncoder::Kernel::generic, runs);
    if (SentenceEncoder::avx2_available()) bench_kernel(path, SentenceEncoder::Kernel::avx2, runs);
    std::printf("resident after the runs: %.1f MiB total\n", static_cast<double>(rss_kib()) / 1024);
  } catch (const std::exception& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
  return 0;
}
