#pragma once
// The built-in, offline answerer: quotes the most relevant sentences of the knowledge base.

#include <cstddef>
#include <memory>
#include <string>

#include "knowledge_search.hpp"
#include "provider.hpp"

namespace botfactory::ai {

/// Tunables of ExtractiveProvider.
struct ExtractiveSettings {
  int top_k = 3;               // chunks retrieved per question
  double min_score = 1.0;      // best registry BM25F score to answer at all (about one
                               // matched term that a third of the chunks share)
  double min_coverage = 0.25;  // share of the question's content words found in the best chunk
  std::size_t max_sentences = 3;
  std::size_t max_chars = 600;  // of the quoted part, in code points
  std::size_t words_per_delta = 4;  // 0 = the whole reply in one delta
};

/// Answers from the knowledge base without a language model. Retrieves the top chunks for the
/// user's text; when there are none, the best score is below min_score, or too few of the
/// question's content words occur in the best chunk, it says plainly that it does not know
/// (answered = false, no sources). Otherwise it quotes up to max_sentences sentences of the best
/// chunk (max_chars), those sharing the most words with the question (questions in the text,
/// such as an FAQ heading, only when nothing else matches), in their original order, and names
/// the source document: en `Source: “…”`, ru `Источник: «…»`, uz `Manba: “…”`. The text is
/// streamed in groups of words_per_delta words (in one delta when 0). Errors of the KnowledgeSearch propagate.
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
