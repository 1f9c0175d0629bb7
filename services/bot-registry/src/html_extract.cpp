// HTML → blocks through libxml2's HTML parser in SAX mode (Debian libxml2-dev): the parser
// reports elements and text as events and builds no tree, so memory stays proportional to the
// open-element stack and the text, and nothing here recurses. libxml2 recovers from malformed
// markup (unbalanced tags, stray '<' and '&') in one forward pass.
#include <array>
#include <climits>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "block_builder.hpp"
#include "text_extract.hpp"

namespace botfactory::registry {
namespace {

bool is_skipped_element(std::string_view name) {
  return name == "script" || name == "style" || name == "noscript" || name == "template" ||
         name == "head" || name == "title" || name == "svg";
}

bool is_block_element(std::string_view name) {
  static constexpr std::array<std::string_view, 32> kBlocks = {
      "address", "article", "aside",  "blockquote", "br",     "caption", "dd",    "details",
      "div",     "dl",      "dt",     "fieldset",   "figcaption", "figure", "footer", "form",
      "header",  "hr",      "li",     "main",       "nav",    "ol",      "p",     "pre",
      "section", "summary", "table",  "tbody",      "thead",  "tfoot",   "tr",    "ul"};
  for (auto b : kBlocks) {
    if (b == name) return true;
  }
  return false;
}

bool is_heading_element(std::string_view name) {
  return name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6';
}

struct HtmlState {
  BlockBuilder builder;
  long skipped = 0;  // open elements whose content is dropped (script, style, ...)
};

HtmlState& state_of(void* userdata) { return *static_cast<HtmlState*>(userdata); }
std::string_view name_of(const xmlChar* name) {
  return name == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(name));
}

// libxml2 reports HTML element names in lower case and balances every start with an end
// (implied ends included).
void on_start(void* userdata, const xmlChar* raw_name, const xmlChar**) {
  auto& s = state_of(userdata);
  auto name = name_of(raw_name);
  if (is_skipped_element(name)) {
    ++s.skipped;
    return;
  }
  if (s.skipped > 0) return;
  if (is_heading_element(name)) {
    s.builder.start_heading();
  } else if (is_block_element(name)) {
    s.builder.end_block();
  } else if (name == "td" || name == "th") {
    s.builder.space();
  }
}

void on_end(void* userdata, const xmlChar* raw_name) {
  auto& s = state_of(userdata);
  auto name = name_of(raw_name);
  if (is_skipped_element(name)) {
    if (s.skipped > 0) --s.skipped;
    return;
  }
  if (s.skipped > 0) return;
  if (is_heading_element(name) || is_block_element(name)) {
    s.builder.end_block();
  } else if (name == "td" || name == "th") {
    s.builder.space();
  }
}

void on_text(void* userdata, const xmlChar* text, int length) {
  auto& s = state_of(userdata);
  if (s.skipped > 0 || length <= 0) return;
  s.builder.text(std::string_view(reinterpret_cast<const char*>(text), static_cast<std::size_t>(length)));
}

struct ContextDeleter {
  void operator()(htmlParserCtxtPtr context) const {
    if (context->myDoc != nullptr) xmlFreeDoc(context->myDoc);
    htmlFreeParserCtxt(context);
  }
};

}  // namespace

std::vector<TextBlock> html_to_blocks(std::string_view html) {
  static std::once_flag init;
  std::call_once(init, [] { xmlInitParser(); });
  if (html.size() >= static_cast<std::size_t>(INT_MAX)) {
    throw ExtractError("the HTML document is too large");
  }
  if (html.empty()) return {};
  std::unique_ptr<htmlParserCtxt, ContextDeleter> context(
      htmlCreateMemoryParserCtxt(html.data(), static_cast<int>(html.size())));
  if (!context) throw ExtractError("the HTML document could not be parsed");
  // Only our callbacks: no document tree is built, no error is printed.
  std::memset(context->sax, 0, sizeof(*context->sax));
  context->sax->startElement = on_start;
  context->sax->endElement = on_end;
  context->sax->characters = on_text;
  context->sax->cdataBlock = on_text;
  context->sax->ignorableWhitespace = on_text;
  HtmlState state;
  context->userData = &state;
  htmlCtxtUseOptions(context.get(), HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                                        HTML_PARSE_NOIMPLIED);
  // The body is UTF-8 (checked before); a <meta charset> must not make libxml2 re-decode it.
  if (auto* utf8 = xmlFindCharEncodingHandler("UTF-8")) xmlSwitchToEncoding(context.get(), utf8);
  htmlParseDocument(context.get());  // recovers from any error; what it saw is kept
  return state.builder.finish();
}

}  // namespace botfactory::registry
