#pragma once
// Collects the text events of a document parser into TextBlocks (shared by the Markdown, HTML
// and PDF extractors). Internal to text extraction.

#include <string>
#include <string_view>
#include <vector>

#include "text_extract.hpp"

namespace botfactory::registry {

/// Appends text to the current block, collapsing runs of whitespace into one space (HTML and
/// Markdown rules) and turning NUL and other C0 control characters into spaces. Linear in the
/// text it is given.
class BlockBuilder {
 public:
  /// Flowing text: whitespace collapsed.
  void text(std::string_view s);
  /// Preformatted text (code blocks): kept verbatim, line feeds and tabs included; other control
  /// characters become spaces.
  void verbatim(std::string_view s);
  /// A word break (e.g. between table cells).
  void space() { pending_space_ = !current_.empty(); }
  /// Ends the current block and makes the next one a heading.
  void start_heading() {
    end_block();
    heading_ = true;
  }
  /// Ends the current block (dropped when only whitespace).
  void end_block();
  /// Bytes of text collected so far (finished blocks and the current one).
  std::size_t size() const { return size_ + current_.size(); }
  /// Ends the current block and hands over all blocks.
  std::vector<TextBlock> finish() {
    end_block();
    return std::move(blocks_);
  }

 private:
  std::vector<TextBlock> blocks_;
  std::string current_;
  std::size_t size_ = 0;
  bool heading_ = false;
  bool pending_space_ = false;
};

}  // namespace botfactory::registry
