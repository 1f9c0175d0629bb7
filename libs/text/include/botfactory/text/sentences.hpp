#pragma once
// Splitting UTF-8 text into sentences (chunking in bot-registry, quoting in ai-proxy).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace botfactory::text {

/// Byte range [begin, end) of one sentence in its text.
struct SentenceSpan {
  std::size_t begin = 0;
  std::size_t end = 0;
};

/// The sentences of `text` as byte ranges that cover it completely, in order; each range
/// includes the whitespace after its sentence (so a range may be whitespace only, e.g. at a
/// leading blank line). A sentence ends after a terminator ('.', '!', '?' or '…' U+2026, with
/// any further '.', '!', '?' and closing marks '"', '\'', ')', ']', '»', '”', '’') that is
/// followed by ASCII whitespace, and after every line break ('\n'). "3.5" and "e.g.x" do not
/// end a sentence.
std::vector<SentenceSpan> sentence_spans(std::string_view text);

/// The sentences of `text` (sentence_spans), each trimmed of ASCII whitespace, blank ones
/// dropped.
std::vector<std::string> split_sentences(std::string_view text);

}  // namespace botfactory::text
