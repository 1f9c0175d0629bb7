// Hostile and malformed knowledge documents (issue 6): each is refused with a clear
// ExtractError or processed without crashing. The deep-nesting cases run on a thread with a
// 256 KiB stack, so any recursion per nesting level would crash the test. Speed is measured by
// bench/run_extract.sh, not here (no timing assertions).
#include <catch2/catch.hpp>

#include <pthread.h>
#include <zlib.h>

#include <algorithm>
#include <exception>
#include <functional>
#include <string>

#include "botfactory/common/text.hpp"
#include "chunker.hpp"
#include "support/pdf_builder.hpp"
#include "text_extract.hpp"

using namespace botfactory;
using registry::TextBlock;

namespace {

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

/// Runs `body` on a new thread with a `stack_bytes` stack and rethrows what it threw.
void on_small_stack(const std::function<void()>& body, std::size_t stack_bytes = 256 * 1024) {
  struct Job {
    const std::function<void()>* body;
    std::exception_ptr error;
  } job{&body, nullptr};
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setstacksize(&attributes, stack_bytes);
  pthread_t thread;
  auto entry = [](void* arg) -> void* {
    auto* j = static_cast<Job*>(arg);
    try {
      (*j->body)();
    } catch (...) {
      j->error = std::current_exception();
    }
    return nullptr;
  };
  REQUIRE(pthread_create(&thread, &attributes, entry, &job) == 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attributes);
  if (job.error) std::rethrow_exception(job.error);
}

/// Every block is valid UTF-8 without NUL or other control characters (tab, line feed aside).
void check_clean(const std::vector<TextBlock>& blocks) {
  for (const auto& block : blocks) {
    REQUIRE(common::is_valid_utf8(block.text));
    auto control = std::find_if(block.text.begin(), block.text.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n';
    });
    REQUIRE(control == block.text.end());
  }
}

std::string all_text(const std::vector<TextBlock>& blocks) {
  std::string out;
  for (const auto& b : blocks) out += b.text + "\n";
  return out;
}

}  // namespace

TEST_CASE("Markdown: pathological documents are processed without crash, on a small stack") {
  struct Case {
    const char* name;
    std::string input;
  };
  const std::size_t deep = 100000;
  std::string wide_table = "|";
  wide_table += repeat("c|", 5000);
  wide_table += "\n|";
  wide_table += repeat("-|", 5000);
  wide_table += "\n|";
  wide_table += repeat("v|", 5000);
  wide_table += "\n\ndeep\n";
  // Nesting deeper than kMaxMarkdownNesting on one line is refused before md4c sees it.
  for (const auto& nested : {repeat(">", deep) + " deep\n", repeat("- ", deep) + "deep\n",
                             repeat("> - ", deep / 2) + "deep\n", repeat(" 1. ", 101) + "deep\n",
                             "ok\n\n" + repeat("> ", 101) + "deep\n"}) {
    CHECK_THROWS_WITH(registry::markdown_to_blocks(nested),
                      "the Markdown document nests quotes or lists deeper than 100 levels");
  }
  std::vector<Case> cases = {
      {"100 nested block quotes (the limit)", repeat(">", 100) + " deep\n"},
      {"nested lists by indentation", [] {
         std::string s;
         for (int i = 0; i < 2000; ++i) s += std::string(static_cast<std::size_t>(2 * i), ' ') + "- deep\n";
         return s;
       }()},
      {"quotes in code fences stay text", "```\n" + repeat(">", 99) + " deep\n```\n"},
      {"unbalanced brackets", repeat("[", 1000000) + "deep" + repeat("]", 10)},
      {"unclosed link targets", repeat("[a](", 250000) + "deep"},
      {"long run of <", repeat("<", 1000000) + " deep"},
      {"long run of &", repeat("&", 1000000) + " deep"},
      {"entity-like runs", repeat("&#1234", 200000) + " deep"},
      {"emphasis runs", repeat("*_", 500000) + " deep"},
      {"huge table", "| q | a |\n|---|---|\n" + repeat("| x | y |\n", 100000) + "\ndeep\n"},
      {"wide table", wide_table},
      {"unclosed fences", repeat("```\n~~~\n", 50000) + "deep\n"},
      {"NUL and control characters", std::string("dee\0p \x01\x02 text", 15) + "\ndeep\n"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    std::vector<TextBlock> blocks;
    on_small_stack([&] { blocks = registry::markdown_to_blocks(c.input); });
    check_clean(blocks);
    CHECK(all_text(blocks).find("deep") != std::string::npos);
  }
}

TEST_CASE("HTML: pathological documents are processed without crash, on a small stack") {
  struct Case {
    const char* name;
    std::string input;
  };
  const std::size_t deep = 100000;
  std::vector<Case> cases = {
      {"100k nested divs", repeat("<div>", deep) + "deep"},
      {"100k nested inline elements", repeat("<b><i>", deep) + "deep"},
      {"100k nested tables", repeat("<table><tr><td>", deep / 4) + "deep"},
      {"unclosed tags", repeat("<p class=\"x", 10000) + "\">deep"},
      {"long run of <", repeat("<", 1000000) + " deep"},
      {"long run of &", repeat("&", 1000000) + " deep"},
      {"unterminated entities", repeat("&#x41", 200000) + " deep"},
      {"unclosed comments", "<p>deep</p>" + repeat("<!--", 250000)},
      {"huge table", "<table>" + repeat("<tr><td>a</td><td>b</td></tr>", 100000) +
                         "</table><p>deep</p>"},
      {"stray end tags", repeat("</div></p></table>", 100000) + "deep"},
      {"NUL bytes", std::string("<p>dee\0p</p><p>deep</p>", 23)},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    std::vector<TextBlock> blocks;
    on_small_stack([&] { blocks = registry::html_to_blocks(c.input); });
    check_clean(blocks);
    CHECK(all_text(blocks).find("deep") != std::string::npos);
  }
}

TEST_CASE("HTML: the body is read as UTF-8 whatever a meta element says") {
  auto blocks = registry::html_to_blocks(
      "<html><head><meta charset=\"iso-8859-1\"><title>t</title></head>"
      "<body><p>Привет, мир — café</p><script>never closed");
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].text == "Привет, мир — café");
}

TEST_CASE("entities and chunking stay linear on long runs") {
  // A reference is looked for at most 12 bytes ahead; long runs are kept as written.
  auto amps = repeat("&", 1000000);
  CHECK(registry::decode_html_entities(amps) == amps);
  auto unterminated = repeat("&#123", 100000);
  CHECK(registry::decode_html_entities(unterminated) == unterminated);
  // One block of 2 MB without a sentence end or a space: split between code points.
  std::vector<TextBlock> blocks = {{repeat("я", 1000000), false}};
  auto chunks = registry::chunk_blocks(blocks, 800);
  REQUIRE(chunks.size() == 1250);
  for (const auto& chunk : chunks) CHECK(common::utf8_length(chunk) == 800);
  // Many tiny sentences.
  blocks = {{repeat("a. ", 500000), false}};
  chunks = registry::chunk_blocks(blocks, 800);
  for (const auto& chunk : chunks) CHECK(common::utf8_length(chunk) <= 800);
}

TEST_CASE("PDF: a real PDF gives its text, page by page") {
  auto pdf = registry_test::build_pdf({
      registry_test::text_content({"Returns and refunds", "You can return any item within 30 days."}),
      registry_test::text_content({"Shipping (worldwide) takes 5 days."}),
  });
  auto blocks = registry::pdf_to_blocks(pdf);
  check_clean(blocks);
  auto text = all_text(blocks);
  CHECK(text.find("Returns and refunds") != std::string::npos);
  CHECK(text.find("You can return any item within 30 days.") != std::string::npos);
  CHECK(text.find("Shipping (worldwide) takes 5 days.") != std::string::npos);
  CHECK(text.find("Returns") < text.find("Shipping"));
}

TEST_CASE("PDF: malformed, text-less and oversized PDFs are refused clearly") {
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(registry::pdf_to_blocks("hello, not a pdf"), Contains("not a valid PDF"));
  CHECK_THROWS_WITH(registry::pdf_to_blocks("%PDF-1.4\n" + repeat("garbage ", 1000)),
                    Contains("not a valid PDF"));
  CHECK_THROWS_AS(registry::pdf_to_blocks(""), registry::ExtractError);
  // A page that only draws (a scan): no text layer.
  CHECK_THROWS_WITH(registry::pdf_to_blocks(registry_test::build_pdf({registry_test::drawing_content()})),
                    Contains("no text layer"));
  // Too many pages for the limit.
  registry::PdfLimits limits;
  limits.max_pages = 2;
  auto three = registry_test::build_pdf({registry_test::text_content({"a"}),
                                         registry_test::text_content({"b"}),
                                         registry_test::text_content({"c"})});
  CHECK_THROWS_WITH(registry::pdf_to_blocks(three, limits), Contains("more than 2 pages"));
  // Too much text for the limit.
  limits = {};
  limits.max_text_bytes = 64;
  auto wordy = registry_test::build_pdf({registry_test::text_content(
      {repeat("word ", 20), repeat("more ", 20)})});
  CHECK_THROWS_WITH(registry::pdf_to_blocks(wordy, limits), Contains("bytes of text"));
  // Truncated in the middle and with a broken cross-reference table: refused or read, never a
  // crash.
  auto good = registry_test::build_pdf({registry_test::text_content({"Truncated document"})});
  for (std::size_t cut : {good.size() / 2, good.size() - 30, std::size_t{20}}) {
    try {
      auto blocks = registry::pdf_to_blocks(good.substr(0, cut));
      check_clean(blocks);
    } catch (const registry::ExtractError&) {
    }
  }
  // Deeply nested arrays in a content stream.
  auto nested = registry_test::build_pdf({repeat("[", 100000) + "\n" +
                                          registry_test::text_content({"after"})});
  try {
    on_small_stack([&] { check_clean(registry::pdf_to_blocks(nested)); }, 8 << 20);
  } catch (const registry::ExtractError&) {
  }
}

TEST_CASE("Markdown over md4c's memory bound is parsed in pieces without losing text") {
  // One fenced code block of ~1.2 MiB: cut into pieces, the fence reopened in each, so every
  // line stays code (verbatim) and no fence marker leaks into the text.
  std::string code = "```python\n";
  for (int i = 0; i < 100000; ++i) code += "x_" + std::to_string(i) + " = [1, 2]\n";
  code += "```\n\nAfter the code.\n";
  auto blocks = registry::markdown_to_blocks(code);
  check_clean(blocks);
  auto text = all_text(blocks);
  CHECK(text.find("```") == std::string::npos);
  CHECK(text.find("x_0 = [1, 2]\nx_1 = [1, 2]") != std::string::npos);
  CHECK(text.find("x_99999 = [1, 2]") != std::string::npos);
  CHECK(blocks.back().text == "After the code.");
  // Many ordinary paragraphs: the same blocks as one parse would give.
  std::string faq;
  for (int i = 0; i < 20000; ++i) faq += "## Question " + std::to_string(i) + "?\n\nAnswer *" + std::to_string(i) + "*.\n\n";
  blocks = registry::markdown_to_blocks(faq);
  REQUIRE(blocks.size() == 40000);
  CHECK(blocks[39998].text == "Question 19999?");
  CHECK(blocks[39998].heading);
  CHECK(blocks[39999].text == "Answer 19999.");
  // One 2 MiB line without a line break or space is cut at code point boundaries.
  blocks = registry::markdown_to_blocks(repeat("ж", 1 << 20));
  check_clean(blocks);
  std::size_t letters = 0;
  for (const auto& b : blocks) letters += common::utf8_length(b.text);
  CHECK(letters == (1u << 20));
}

namespace {

/// A PDF whose one page's content stream is `megabytes` MiB of spaces, deflated (about 1 KiB
/// per MiB): a decompression bomb.
std::string deflate_bomb_pdf(int megabytes) {
  z_stream z{};
  REQUIRE(deflateInit(&z, 9) == Z_OK);
  std::string in(1 << 20, ' ');
  std::string compressed;
  char out[65536];
  for (int i = 0; i <= megabytes; ++i) {
    bool last = i == megabytes;
    std::string tail = "BT /F1 12 Tf 72 720 Td (bomb) Tj ET\n";
    z.next_in = reinterpret_cast<Bytef*>(last ? tail.data() : in.data());
    z.avail_in = static_cast<uInt>(last ? tail.size() : in.size());
    do {
      z.next_out = reinterpret_cast<Bytef*>(out);
      z.avail_out = sizeof out;
      deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
      compressed.append(out, sizeof out - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  auto pdf = registry_test::build_pdf({compressed});
  // build_pdf writes "<< /Length n >>": add the filter.
  auto at = pdf.find("<< /Length " + std::to_string(compressed.size()) + " >>");
  REQUIRE(at != std::string::npos);
  pdf.insert(at + 2, " /Filter /FlateDecode");
  return pdf;
}

}  // namespace

TEST_CASE("PDF: a decompression bomb is stopped by the reader's CPU limit or timeout") {
  auto bomb = deflate_bomb_pdf(256);  // 0.25 MB of PDF, 256 MiB of content stream
  CHECK(bomb.size() < 1 << 20);
  registry::PdfLimits limits;
  limits.cpu_seconds = 1;
  CHECK_THROWS_WITH(registry::pdf_to_blocks(bomb, limits),
                    "the PDF could not be read within the time and memory limits");
  limits = {};
  limits.timeout = std::chrono::milliseconds(300);
  CHECK_THROWS_WITH(registry::pdf_to_blocks(bomb, limits), "the PDF took too long to read (over 300 ms)");
  // The service is fine afterwards: the next PDF reads normally.
  auto ok = registry_test::build_pdf({registry_test::text_content({"Still here"})});
  CHECK(all_text(registry::pdf_to_blocks(ok)).find("Still here") != std::string::npos);
}
