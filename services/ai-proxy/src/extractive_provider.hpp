#pragma once
// The built-in, offline answerer: quotes the most relevant sentences of the knowledge base.

#include <cstddef>
#include <memory>
#include <string>

#include "knowledge_search.hpp"
#include "provider.hpp"
#include "relevance_gate.hpp"

namespace botfactory::ai {

/// Tunables of ExtractiveProvider.
struct ExtractiveSettings {
  int top_k = 5;    // chunks retrieved per question (candidates for the visitor's language)
  GateSettings gate;  // when a chunk is good enough to quote (relevance_gate.hpp)
  std::size_t max_sentences = 3;
  std::size_t max_chars = 600;  // of the quoted part, in code points
  std::size_t words_per_delta = 4;  // 0 = the whole reply in one delta
};

/// Answers from the knowledge base without a language model, in the visitor's language:
/// reply_language(detect_language(user text), bot language).
/// - Small talk (classify_small_talk(): greetings, thanks, goodbyes, "who are you / who made
///   you") gets its brief fixed reply in that language, without a search (answered = true, no
///   sources).
/// - Otherwise it retrieves the top_k chunks and takes the first written in the reply language
///   (pick_hit_in_language(); the best chunk when none is). When there is none, or it fails the
///   relevance gate (passes_gate(): BM25F score, share of the question's content words found in
///   the chunk), it says plainly that it does not know, in the reply language (answered = false,
///   no sources).
/// - Otherwise it quotes up to max_sentences sentences of that chunk (max_chars), those sharing
///   the most words with the question (questions in the text, such as an FAQ heading, only when
///   nothing else matches; the opening statements when the chunk's title holds every content
///   word of the question, i.e. the visitor asked the FAQ heading), in their original order, and names the source document: en
///   `Source: “…”`, ru `Источник: «…»`, uz `Manba: “…”`.
/// The text is streamed in groups of words_per_delta words (in one delta when 0). Errors of the
/// KnowledgeSearch propagate.
class ExtractiveProvider : public Provider {
 public:
  explicit ExtractiveProvider(std::shared_ptr<KnowledgeSearch> search, ExtractiveSettings settings = {});
  std::string name() const override { return "extractive"; }
  void generate(const GenerateInput& input, const DeltaSink& on_delta, FinalReply& out) override;

  /// The "I don't know" reply in `language` (en for anything but ru/uz).
  static const char* dont_know_text(const std::string& language);

 private:
  std::shared_ptr<KnowledgeSearch> search_;
  ExtractiveSettings settings_;
};

}  // namespace botfactory::ai
