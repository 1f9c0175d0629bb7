#include "extractive_provider.hpp"

#include <algorithm>

#include "answer_text.hpp"
#include "language_detect.hpp"
#include "small_talk.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/text/sentences.hpp"

namespace botfactory::ai {
namespace {

std::string source_line(const std::string& language, const std::string& title) {
  if (language == "ru") return "Источник: «" + title + "»";
  if (language == "uz") return "Manba: “" + title + "”";
  return "Source: “" + title + "”";
}

bool is_question(const std::string& sentence) {
  return !sentence.empty() && sentence.back() == '?';
}

/// Picks the sentences to quote (see ExtractiveProvider) and joins them with spaces.
/// `title_answers`: the chunk's title holds every content word of the question (the visitor
/// asked the FAQ heading itself), so the opening statements answer best.
std::string quote(const std::string& chunk_text, const std::vector<std::string>& query_stems,
                  const std::string& language, bool title_answers, const ExtractiveSettings& settings) {
  auto sentences = text::split_sentences(chunk_text);
  if (sentences.empty()) return {};
  struct Scored {
    std::size_t index;
    std::size_t overlap;
  };
  std::vector<Scored> ranked;
  bool any_statement_overlap = false;
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    std::size_t overlap = matched_count(query_stems, content_stems(sentences[i], language));
    if (overlap > 0 && !is_question(sentences[i])) any_statement_overlap = true;
    ranked.push_back({i, overlap});
  }
  if (any_statement_overlap && !title_answers) {
    // Drop questions and sentences that share nothing with the question.
    std::erase_if(ranked, [&](const Scored& s) { return s.overlap == 0 || is_question(sentences[s.index]); });
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const Scored& a, const Scored& b) { return a.overlap > b.overlap; });
  } else {
    // Matched through the title (only, or wholly): the opening statements answer best.
    bool any_statement = std::any_of(sentences.begin(), sentences.end(),
                                     [](const std::string& s) { return !is_question(s); });
    if (any_statement) {
      std::erase_if(ranked, [&](const Scored& s) { return is_question(sentences[s.index]); });
    }
  }
  std::vector<std::size_t> chosen;
  std::size_t chars = 0;
  for (const auto& s : ranked) {
    if (chosen.size() == settings.max_sentences) break;
    std::size_t length = common::utf8_length(sentences[s.index]);
    std::size_t separator = chosen.empty() ? 0 : 1;
    if (!chosen.empty() && chars + separator + length > settings.max_chars) continue;
    chosen.push_back(s.index);
    chars += separator + length;
  }
  if (chosen.empty()) return {};
  std::sort(chosen.begin(), chosen.end());
  std::string text;
  for (auto index : chosen) {
    if (!text.empty()) text += ' ';
    text += sentences[index];
  }
  return truncate_words(text, settings.max_chars);
}

/// The hit of `best`'s document that comes first in it (the lowest ordinal among `hits`):
/// asked an FAQ heading, the answer is the entry's opening, not a later chunk that happened to
/// score higher (a shorter one that also names the subject).
const KnowledgeHit& opening_of(const std::vector<KnowledgeHit>& hits, const KnowledgeHit& best) {
  const KnowledgeHit* first = &best;
  for (const auto& hit : hits) {
    if (hit.document_id == best.document_id && hit.ordinal < first->ordinal) first = &hit;
  }
  return *first;
}

void stream(const std::string& text, std::size_t words_per_delta, const DeltaSink& on_delta) {
  if (words_per_delta == 0) {  // the whole reply in one delta
    if (!text.empty()) on_delta(text);
    return;
  }
  for (const auto& piece : stream_pieces(text, words_per_delta)) {
    if (!on_delta(piece)) return;
  }
}

}  // namespace

ExtractiveProvider::ExtractiveProvider(std::shared_ptr<KnowledgeSearch> search, ExtractiveSettings settings)
    : search_(std::move(search)), settings_(settings) {}

const char* ExtractiveProvider::dont_know_text(const std::string& language) {
  if (language == "ru") return "Извините, я не знаю ответа на этот вопрос — его нет в моей базе знаний.";
  if (language == "uz") return "Kechirasiz, bu savolga javobni bilmayman — u mening bilim bazamda yo‘q.";
  return "Sorry, I don't know the answer to that — it isn't covered in my knowledge base.";
}

void ExtractiveProvider::generate(const GenerateInput& input, const DeltaSink& on_delta,
                                  FinalReply& out) {
  out = FinalReply{};
  out.provider = name();
  const std::string language = reply_language(detect_language(input.user_text), input.language);

  if (auto kind = classify_small_talk(input.user_text); kind != SmallTalk::kNone) {
    out.answered = true;
    out.text = small_talk_reply(kind, language);
    stream(out.text, settings_.words_per_delta, on_delta);
    return;
  }

  auto hits = search_->search(input.tenant_id, input.bot_id, input.user_text, settings_.top_k);
  std::string quoted;
  const KnowledgeHit* best = nullptr;
  if (!hits.empty()) {
    auto index = pick_hit_in_language(hits, language);
    best = &hits[index];
    if (passes_gate(measure_relevance(input.user_text, hits, index, language), settings_.gate)) {
      auto query_stems = content_stems(input.user_text, language);
      bool title_answers = !query_stems.empty() &&
                           matched_count(query_stems, content_stems(best->document_title, language)) ==
                               query_stems.size();
      if (title_answers) best = &opening_of(hits, *best);
      quoted = quote(best->text, query_stems, language, title_answers, settings_);
    }
  }

  if (quoted.empty()) {
    out.text = dont_know_text(language);
  } else {
    out.answered = true;
    out.text = quoted + "\n\n" + source_line(language, best->document_title);
    out.sources.push_back({best->document_id, best->document_title, best->chunk_id, best->score});
  }
  stream(out.text, settings_.words_per_delta, on_delta);
}

}  // namespace botfactory::ai
