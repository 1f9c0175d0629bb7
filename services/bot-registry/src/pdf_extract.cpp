// PDF → blocks through poppler-cpp (Debian libpoppler-cpp-dev): the text layer of each page in
// reading order, split into paragraphs like plain text. Scanned pages (images only) have no
// text layer; such a PDF is refused rather than stored empty.
#include <climits>
#include <memory>
#include <mutex>
#include <string>

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include "botfactory/common/call_deadline.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/text/utf8.hpp"
#include "text_extract.hpp"

namespace botfactory::registry {
namespace {

/// poppler's diagnostics (malformed objects, missing fonts) are about the uploaded file, not
/// about this service: logged at debug level, never printed on stderr.
void poppler_diagnostic(const std::string& message, void*) {
  common::logger("pdf")->debug("poppler: {}", common::json_escape(message));
}

/// UTF-16 (poppler::ustring) → UTF-8; a lone surrogate becomes U+FFFD, NUL and other control
/// characters (tab, line feed aside) a space, form feed (page break) a line feed.
void append_utf16(std::string& out, const poppler::ustring& text) {
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t unit = text[i];
    std::uint32_t cp = unit;
    if (unit >= 0xD800 && unit <= 0xDBFF && i + 1 < n && text[i + 1] >= 0xDC00 &&
        text[i + 1] <= 0xDFFF) {
      cp = 0x10000 + ((unit - 0xD800) << 10) + (text[i + 1] - 0xDC00);
      ++i;
    } else if (unit >= 0xD800 && unit <= 0xDFFF) {
      cp = text::kReplacementCharacter;
    } else if (unit == '\f' || unit == '\r') {
      cp = '\n';
    } else if ((unit < 0x20 && unit != '\t' && unit != '\n') || unit == 0x7F) {
      cp = ' ';
    }
    text::append_utf8(out, cp);
  }
}

}  // namespace

std::vector<TextBlock> pdf_to_blocks(std::string_view pdf, const PdfLimits& limits) {
  if (pdf.size() >= static_cast<std::size_t>(INT_MAX)) throw ExtractError("the PDF is too large");
  // poppler keeps global state (fonts, parameters); one document at a time per process.
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  static std::once_flag init;
  std::call_once(init, [] { poppler::set_debug_error_function(poppler_diagnostic, nullptr); });
  common::throw_if_call_abandoned();  // the caller may have given up while we waited

  if (pdf.substr(0, 1024).find("%PDF-") == std::string_view::npos) {
    throw ExtractError("the file is not a valid PDF");
  }
  std::unique_ptr<poppler::document> document(
      poppler::document::load_from_raw_data(pdf.data(), static_cast<int>(pdf.size())));
  if (!document) throw ExtractError("the file is not a valid PDF");
  if (document->is_locked()) throw ExtractError("the PDF is encrypted");
  const int pages = document->pages();
  if (pages > limits.max_pages) {
    throw ExtractError("the PDF has more than " + std::to_string(limits.max_pages) + " pages");
  }
  std::vector<TextBlock> blocks;
  std::size_t total = 0;
  std::string page_text;
  for (int i = 0; i < pages; ++i) {
    common::throw_if_call_abandoned();
    std::unique_ptr<poppler::page> page(document->create_page(i));
    if (!page) continue;
    page_text.clear();
    append_utf16(page_text, page->text(poppler::rectf(), poppler::page::non_raw_non_physical_layout));
    total += page_text.size();
    if (total > limits.max_text_bytes) {
      throw ExtractError("the PDF has more than " + std::to_string(limits.max_text_bytes) +
                         " bytes of text");
    }
    for (auto& block : plain_to_blocks(page_text)) blocks.push_back(std::move(block));
  }
  if (blocks.empty()) throw ExtractError("the PDF has no text layer (a scan?)");
  return blocks;
}

}  // namespace botfactory::registry
