// bench_extract: knowledge text extraction + chunking time against document size, for ordinary
// and hostile documents of each format (docs/benchmarks.md, "Knowledge extraction"). Linear
// time shows as a flat time per MiB across sizes. In process, no servers.
//   bench_extract [--sizes 64,256,1024,4096,8192] [--runs 3] [--only markdown]   (sizes in KiB)
// Prints one Markdown table row per (shape, size): median ms over the runs and ms per MiB.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "chunker.hpp"
#include "support/pdf_builder.hpp"
#include "text_extract.hpp"

namespace {

using namespace botfactory;
using Clock = std::chrono::steady_clock;

/// `unit` repeated until the text has at least `bytes` bytes (then `tail`).
std::string fill(std::string_view unit, std::size_t bytes, std::string_view tail = {}) {
  std::string out;
  out.reserve(bytes + unit.size() + tail.size());
  while (out.size() < bytes) out += unit;
  out += tail;
  return out;
}

const char* kProse =
    "You can return any item within 30 days of delivery. Keep the receipt and use the original "
    "box; refunds reach your card within five working days. ";

/// A PDF of about `bytes` bytes: pages of 40 lines of prose.
std::string pdf_of(std::size_t bytes) {
  std::vector<std::string> lines(40, kProse);
  auto page = registry_test::text_content(lines);
  std::vector<std::string> pages;
  std::size_t total = 0;
  while (total < bytes) {
    pages.push_back(page);
    total += page.size() + 200;
  }
  return registry_test::build_pdf(pages);
}

struct Shape {
  const char* name;
  std::function<std::string(std::size_t)> make;  // a document of about n bytes
  std::function<std::vector<registry::TextBlock>(std::string_view)> extract;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"knowledge extraction time per MiB"};
  std::vector<std::size_t> sizes_kib = {64, 256, 1024, 4096, 8192};
  int runs = 3;
  std::string only;
  app.add_option("--only", only, "only documents whose name contains this");
  app.add_option("--sizes", sizes_kib, "document sizes in KiB")->delimiter(',');
  app.add_option("--runs", runs, "runs per point (median)")->check(CLI::Range(1, 100));
  CLI11_PARSE(app, argc, argv);

  auto md = [](std::string_view s) { return registry::markdown_to_blocks(s); };
  auto html = [](std::string_view s) { return registry::html_to_blocks(s); };
  auto plain = [](std::string_view s) { return registry::plain_to_blocks(s); };
  registry::PdfLimits pdf_limits;
  pdf_limits.max_pages = 100000;
  pdf_limits.max_text_bytes = std::size_t{1} << 30;
  auto pdf = [&](std::string_view s) { return registry::pdf_to_blocks(s, pdf_limits); };
  std::vector<Shape> shapes = {
      {"text: prose", [](std::size_t n) { return fill(std::string(kProse) + "\n\n", n); }, plain},
      {"markdown: FAQ", [](std::size_t n) { return fill(std::string("## Returns?\n\n") + kProse + "*[link](https://x.example)* `code`\n\n", n); }, md},
      {"markdown: nested quotes (one line)", [](std::size_t n) { return fill(">", n, " deep\n"); }, md},
      {"markdown: quotes 100 deep per line", [](std::size_t n) { return fill(std::string(100, '>') + " deep\n", n); }, md},
      {"markdown: lists 100 deep per line", [](std::size_t n) { return fill([] { std::string s; for (int i = 0; i < 100; ++i) s += "- "; return s + "deep\n"; }(), n); }, md},
      {"markdown: one huge code fence", [](std::size_t n) { return "```\n" + fill("x = [1, 2] * 3\n", n) + "```\n"; }, md},
      {"markdown: run of [", [](std::size_t n) { return fill("[", n, "x"); }, md},
      {"markdown: run of [a](", [](std::size_t n) { return fill("[a](", n, "x"); }, md},
      {"markdown: run of <", [](std::size_t n) { return fill("<", n, " x"); }, md},
      {"markdown: run of &", [](std::size_t n) { return fill("&", n, " x"); }, md},
      {"markdown: emphasis *_", [](std::size_t n) { return fill("*_", n, " x"); }, md},
      {"markdown: table rows", [](std::size_t n) { return "| q | a |\n|---|---|\n" + fill("| x | y |\n", n); }, md},
      {"html: article", [](std::size_t n) { return fill(std::string("<h2>Returns?</h2><p>") + kProse + "<a href=\"/x\">more</a></p>", n); }, html},
      {"html: nested divs", [](std::size_t n) { return fill("<div>", n, "deep"); }, html},
      {"html: nested b/i", [](std::size_t n) { return fill("<b><i>", n, "deep"); }, html},
      {"html: run of <", [](std::size_t n) { return fill("<", n, " x"); }, html},
      {"html: run of &", [](std::size_t n) { return fill("&", n, " x"); }, html},
      {"html: unclosed comments", [](std::size_t n) { return fill("<!--", n); }, html},
      {"html: table cells", [](std::size_t n) { return "<table>" + fill("<tr><td>a</td><td>b</td></tr>", n); }, html},
      {"pdf: text pages", pdf_of, pdf},
  };

  std::printf("| document | size | median ms | ms per MiB | chunks |\n|---|---:|---:|---:|---|\n");
  for (const auto& shape : shapes) {
    if (!only.empty() && std::string_view(shape.name).find(only) == std::string_view::npos) continue;
    for (auto kib : sizes_kib) {
      auto input = shape.make(kib * 1024);
      std::vector<double> times;
      std::string chunks;
      for (int r = 0; r < runs; ++r) {
        auto start = Clock::now();
        try {
          auto blocks = shape.extract(input);
          chunks = std::to_string(registry::chunk_blocks(blocks, 800).size());
        } catch (const registry::ExtractError& e) {
          chunks = std::string("refused: ") + e.what();
        }
        times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      }
      std::sort(times.begin(), times.end());
      double median = times[times.size() / 2];
      double mib = static_cast<double>(input.size()) / (1024.0 * 1024.0);
      std::printf("| %s | %zu KiB | %.1f | %.1f | %s |\n", shape.name, input.size() / 1024, median,
                  median / mib, chunks.c_str());
      std::fflush(stdout);
    }
  }
  return 0;
}
