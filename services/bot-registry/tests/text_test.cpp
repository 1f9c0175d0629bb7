// Unit tests of document text extraction, chunking and query sanitising (no database).

#include <catch2/catch.hpp>

#include "botfactory/common/text.hpp"
#include "chunker.hpp"
#include "search_query.hpp"
#include "text_extract.hpp"

using namespace botfactory;
using registry::TextBlock;

namespace {

std::vector<std::string> texts(const std::vector<TextBlock>& blocks) {
  std::vector<std::string> out;
  for (const auto& b : blocks) out.push_back(b.text);
  return out;
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST_CASE("HTML entities are decoded") {
  CHECK(registry::decode_html_entities("a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39;") ==
        "a & b <c> \"d\" 'e'");
  CHECK(registry::decode_html_entities("x&nbsp;y") == "x y");
  CHECK(registry::decode_html_entities("&#1055;&#x440;&#X438;") == "При");
  CHECK(registry::decode_html_entities("&mdash;&laquo;") == "\xE2\x80\x94\xC2\xAB");
  // Unknown, unterminated, surrogate and out-of-range references stay as written.
  CHECK(registry::decode_html_entities("&bogus; & &amp &#xD800; &#99999999;") ==
        "&bogus; & &amp &#xD800; &#99999999;");
}

TEST_CASE("HTML: tags, scripts and styles are stripped; blocks and headings kept") {
  const char* html =
      "<!DOCTYPE html><html><head><title>Ignored</title><style>p { color: red; }</style></head>"
      "<body><!-- a comment <p>not text</p> -->"
      "<h1>Returns &amp; refunds</h1>"
      "<p>You can return <b>any</b> item within <a href=\"/days?x=1>2\">30 days</a>.</p>"
      "<script type=\"text/javascript\">var x = '<p>no</p>';</script>"
      "<ul><li>Keep the receipt</li><li>Use the   original\n  box</li></ul>"
      "<p>Price: 5 &lt; 7<br>Next line</p>"
      "<table><tr><td>Size</td><td>M</td></tr></table>"
      "</body></html>";
  auto blocks = registry::html_to_blocks(html);
  REQUIRE(texts(blocks) == std::vector<std::string>{
                               "Returns & refunds",
                               "You can return any item within 30 days.",
                               "Keep the receipt",
                               "Use the original box",
                               "Price: 5 < 7",
                               "Next line",
                               "Size M",
                           });
  CHECK(blocks[0].heading);
  CHECK_FALSE(blocks[1].heading);
}

TEST_CASE("HTML: a literal '<' and unclosed elements do not lose text") {
  auto blocks = registry::html_to_blocks("a < b and <3 <p>c");
  CHECK(texts(blocks) == std::vector<std::string>{"a < b and <3", "c"});
  CHECK(registry::html_to_blocks("<script>never closed").empty());
}

TEST_CASE("Markdown: markup characters dropped, link text kept") {
  const char* md =
      "# Shipping *policy* #\n"
      "\n"
      "We ship **worldwide** with [DHL](https://dhl.com \"DHL\") and ![the post](post.png).\n"
      "Orders over `$50` ship __free__; see [terms][t] and <https://shop.example/faq>.\n"
      "\n"
      "> Quoted _note_ with snake_case_name kept.\n"
      "\n"
      "- first item\n"
      "* second item\n"
      "1. third item\n"
      "\n"
      "---\n"
      "Setext heading\n"
      "==============\n"
      "Body text with ~~old~~ price and \\*literal star\\*.\n"
      "\n"
      "| a | b |\n"
      "|---|---|\n"
      "| 1 | 2 |\n"
      "\n"
      "```\n"
      "code *kept* as is\n"
      "```\n"
      "[t]: https://shop.example/terms\n";
  auto blocks = registry::markdown_to_blocks(md);
  REQUIRE(texts(blocks) == std::vector<std::string>{
                               "Shipping policy",
                               "We ship worldwide with DHL and the post. Orders over $50 ship "
                               "free; see terms and https://shop.example/faq.",
                               "Quoted note with snake_case_name kept.",
                               "first item",
                               "second item",
                               "third item",
                               "Setext heading",
                               "Body text with old price and *literal star*.",
                               "a b",  // each table row is a block
                               "1 2",
                               "code *kept* as is",
                           });
  CHECK(blocks[0].heading);
  CHECK(blocks[6].heading);
  CHECK_FALSE(blocks[7].heading);
}

TEST_CASE("Plain text: paragraphs on blank lines, CRLF normalised, line breaks kept") {
  auto blocks = registry::plain_to_blocks("  First line\r\nsecond line  \r\n\r\n\n Third\n");
  CHECK(texts(blocks) == std::vector<std::string>{"First line\nsecond line", "Third"});
  CHECK(registry::plain_to_blocks(" \n\t\n").empty());
}

TEST_CASE("chunks pack paragraphs up to the limit and start at headings") {
  std::vector<TextBlock> blocks = {
      {"Intro paragraph.", false},
      {"Question one?", true},
      {"Answer one.", false},
      {"Question two?", true},
      {"Answer two.", false},
  };
  auto chunks = registry::chunk_blocks(blocks, 800);
  CHECK(chunks == std::vector<std::string>{"Intro paragraph.", "Question one?\n\nAnswer one.",
                                           "Question two?\n\nAnswer two."});
  // Without headings, paragraphs are packed while they fit.
  std::vector<TextBlock> paragraphs(5, TextBlock{std::string(300, 'a'), false});
  auto packed = registry::chunk_blocks(paragraphs, 800);
  REQUIRE(packed.size() == 3);
  CHECK(packed[0].size() == 602);
  CHECK(packed[2].size() == 300);
}

TEST_CASE("long Russian and Uzbek paragraphs split at sentences, UTF-8 intact") {
  const std::string ru = "Мы никогда не храним ваши письма дольше трёх дней. ";
  const std::string uz = "Bu savolga javobni bilmayman — u mening bilim bazamda yo‘q. ";
  const std::string paragraph = repeat(ru + uz, 20);
  auto chunks = registry::chunk_blocks({{paragraph, false}}, 300);
  REQUIRE(chunks.size() > 1);
  std::string rejoined;
  for (const auto& c : chunks) {
    CHECK(common::is_valid_utf8(c));
    CHECK(common::utf8_length(c) <= 300);
    CHECK((c.back() == '.'));  // every cut is at a sentence end
    if (!rejoined.empty()) rejoined += ' ';
    rejoined += c;
  }
  CHECK(rejoined + " " == paragraph);
}

TEST_CASE("a sentence longer than the limit splits at spaces, a long word between code points") {
  const std::string sentence = repeat("слово ", 100);  // 600 chars, no terminator
  auto chunks = registry::chunk_blocks({{sentence, false}}, 50);
  for (const auto& c : chunks) {
    CHECK(common::is_valid_utf8(c));
    CHECK(common::utf8_length(c) <= 50);
    CHECK(c.front() != ' ');
    CHECK(c.back() != ' ');
  }
  const std::string word = repeat("ё", 125);  // one 125-character word, 250 bytes
  auto pieces = registry::chunk_blocks({{word, false}}, 40);
  REQUIRE(pieces.size() == 4);
  for (const auto& p : pieces) CHECK(common::is_valid_utf8(p));
  CHECK(common::utf8_length(pieces[0]) == 40);
  CHECK(common::utf8_length(pieces[3]) == 5);
}

TEST_CASE("query words: letters and digits only, lower-cased, short words dropped") {
  CHECK(registry::query_words("What's the 10 MB limit? (attachments) & | ! :*") ==
        std::vector<std::string>{"what", "the", "10", "mb", "limit", "attachments"});
  CHECK(registry::query_words("Что насчёт СПАМА? Ёлка «спама»") ==
        std::vector<std::string>{"что", "насчёт", "спама", "ёлка"});
  CHECK(registry::query_words("Nima uchun roʻyxatdan oʻtishim kerak?") ==
        std::vector<std::string>{"nima", "uchun", "roʻyxatdan", "oʻtishim", "kerak"});
  CHECK(registry::query_words("a b c ! ?").empty());
  CHECK(registry::query_words("").empty());
  CHECK(registry::query_words("bad \xFF\xFE bytes") == std::vector<std::string>{"bad", "bytes"});
  CHECK(registry::query_words("one two three four", 2) == std::vector<std::string>{"one", "two"});
  CHECK(registry::join_words({"a1", "b2"}) == "a1 b2");
  CHECK(std::string(registry::text_search_config("ru")) == "russian");
  CHECK(std::string(registry::text_search_config("uz")) == "simple");
  CHECK(std::string(registry::text_search_config("en")) == "english");
}
