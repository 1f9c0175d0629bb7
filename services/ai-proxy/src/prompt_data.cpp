#include "prompt_data.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uspoof.h>

#include <array>
#include <cstdint>
#include <memory>
#include <set>
#include <vector>

#include "botfactory/text/utf8.hpp"

namespace botfactory::ai {
namespace {

struct CodePoint {
  std::uint32_t cp;
  std::size_t pos;  // byte offset in the input
  std::size_t len;  // byte length
};

// Opening and closing brackets and their common look-alikes (fullwidth, angle quotation marks,
// CJK and mathematical brackets, modifier letters).
constexpr std::array<std::uint32_t, 23> kOpeners = {
    '<', 0xFF1C, 0x2039, 0x3008, 0x2329, 0x27E8, 0xFE64, 0x226A, 0x300A, 0x1438, 0x02C2, 0x276E,
    '[', 0xFF3B, 0x3010, 0x27E6, 0x3014, 0x2045, 0xFE47, 0x3016, 0x301A, 0x29FC, 0xFE5D};
constexpr std::array<std::uint32_t, 23> kClosers = {
    '>', 0xFF1E, 0x203A, 0x3009, 0x232A, 0x27E9, 0xFE65, 0x226B, 0x300B, 0x1433, 0x02C3, 0x276F,
    ']', 0xFF3D, 0x3011, 0x27E7, 0x3015, 0x2046, 0xFE48, 0x3017, 0x301B, 0x29FD, 0xFE5E};
constexpr std::array<std::uint32_t, 9> kBars = {'|', 0xFF5C, 0x2223, 0x01C0, 0x05C0, 0x2502, 0x23D0, 0xFFE8, 0x2758};
constexpr std::array<std::uint32_t, 10> kSlashes = {'/', '\\', 0xFF0F, 0x2215, 0x2044, 0x29F8, 0x2571, 0xFF3C, 0x29F5, 0x2216};

template <std::size_t N>
bool in(const std::array<std::uint32_t, N>& set, std::uint32_t cp) {
  for (auto c : set) {
    if (c == cp) return true;
  }
  return false;
}

bool is_opener(std::uint32_t cp) { return in(kOpeners, cp); }
bool is_closer(std::uint32_t cp) { return in(kClosers, cp); }
bool is_bar(std::uint32_t cp) { return in(kBars, cp); }
bool is_invisible(std::uint32_t cp) { return u_charType(static_cast<UChar32>(cp)) == U_FORMAT_CHAR; }
bool is_space(std::uint32_t cp) { return u_isUWhiteSpace(static_cast<UChar32>(cp)) != 0; }
/// Between a bracket and its word: spaces, slashes, bars, invisible characters.
bool is_filler(std::uint32_t cp) { return is_space(cp) || in(kSlashes, cp) || is_bar(cp) || is_invisible(cp); }
bool is_word_char(std::uint32_t cp) { return u_isalnum(static_cast<UChar32>(cp)) || cp == '_' || cp == '-'; }

bool is_dropped(std::uint32_t cp);
/// Skipped wherever a marker is looked for: invisible and removed characters.
bool is_skippable(std::uint32_t cp) { return is_invisible(cp) || is_dropped(cp); }

/// Characters removed from data: Unicode tags (invisible ASCII look-alikes models can read),
/// the variation selectors supplement, C0/C1 controls except tab and line feed.
bool is_dropped(std::uint32_t cp) {
  if (cp >= 0xE0000 && cp <= 0xE007F) return true;
  if (cp >= 0xE0100 && cp <= 0xE01EF) return true;
  if (cp < 0x20) return cp != '\t' && cp != '\n';
  return cp >= 0x7F && cp <= 0x9F;
}

/// Reserved words and the UTS #39 skeleton of a word after NFKC case folding (so fullwidth and
/// compatibility letters fold to ASCII and default-ignorable characters vanish too).
class Skeletons {
 public:
  Skeletons() {
    UErrorCode status = U_ZERO_ERROR;
    checker_.reset(uspoof_open(&status));
    if (U_FAILURE(status)) checker_.reset();
    status = U_ZERO_ERROR;
    fold_ = icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_FAILURE(status)) fold_ = nullptr;
    for (const char* word :
         {"knowledge", "passage", "passages", "system", "sys", "instruction", "instructions", "rules", "rule", "prompt",
          "user", "assistant", "model", "human", "developer", "visitor", "bot", "tool", "function", "inst", "s",
          "im_start", "im_end", "im_sep", "endoftext", "start_of_turn", "end_of_turn", "eot_id", "start_header_id",
          "end_header_id", "begin_of_text", "bos", "eos", "система", "системный", "инструкция", "инструкции",
          "правила", "tizim", "qoidalar"}) {
      reserved_.insert(skeleton(word));
    }
    delimiter_ = skeleton("knowledge");
  }

  /// The skeleton of UTF-8 `word` (the word itself, lower-cased ASCII, when ICU failed).
  std::string skeleton(std::string_view word) const {
    auto text = icu::UnicodeString::fromUTF8(icu::StringPiece(word.data(), static_cast<int32_t>(word.size())));
    UErrorCode status = U_ZERO_ERROR;
    if (fold_) {
      auto folded = fold_->normalize(text, status);
      if (U_SUCCESS(status)) text = folded;
    }
    status = U_ZERO_ERROR;
    icu::UnicodeString out;
    if (checker_) uspoof_getSkeletonUnicodeString(checker_.get(), 0, text, out, &status);
    if (!checker_ || U_FAILURE(status)) out = text.toLower();
    std::string utf8;
    out.toUTF8String(utf8);
    return utf8;
  }

  /// True when `word`, or its part before the first '-' / '_', is confusable with a reserved
  /// word, or `word` starts with one confusable with "knowledge" (the block's own name).
  bool reserved(const std::string& word) const {
    if (word.empty()) return false;
    auto key = skeleton(word);
    if (reserved_.count(key) || key.rfind(delimiter_, 0) == 0) return true;
    auto cut = word.find_first_of("-_");
    return cut != std::string::npos && cut > 0 && reserved_.count(skeleton(word.substr(0, cut))) > 0;
  }

 private:
  struct Close {
    void operator()(USpoofChecker* checker) const { uspoof_close(checker); }
  };
  std::unique_ptr<USpoofChecker, Close> checker_;
  const icu::Normalizer2* fold_ = nullptr;
  std::set<std::string> reserved_;
  std::string delimiter_;  // the prompt's own block name: any word starting with it is reserved
};

const Skeletons& skeletons() {
  static const Skeletons instance;  // thread-safe initialisation; const use is thread-safe
  return instance;
}

std::vector<CodePoint> decode(std::string_view text) {
  std::vector<CodePoint> out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t len = 1;
    auto cp = text::decode_utf8(text, pos, len);
    if (len == 0) len = 1;
    out.push_back({cp, pos, len});
    pos += len;
  }
  return out;
}

enum class Action : std::uint8_t { kKeep, kOpen, kClose, kDrop };

constexpr std::size_t kMaxFiller = 8;   // code points between a bracket and its word
constexpr std::size_t kMaxWord = 40;    // code points of a candidate word

}  // namespace

std::string neutralise_data(std::string_view text) {
  auto cps = decode(text);
  std::vector<Action> actions(cps.size(), Action::kKeep);
  const auto& names = skeletons();
  bool line_start = true;  // only spaces since the last line feed
  for (std::size_t i = 0; i < cps.size();) {
    auto cp = cps[i].cp;
    if (is_dropped(cp)) {
      actions[i++] = Action::kDrop;
      continue;
    }
    if (!is_opener(cp)) {
      if (cp == '\n') {
        line_start = true;
      } else if (!is_space(cp) && !is_invisible(cp)) {
        line_start = false;
      }
      ++i;
      continue;
    }
    // A bracket: its fillers, the word after them, the closing brackets after the word.
    std::vector<std::size_t> brackets{i};
    bool bar = false;
    std::size_t k = i + 1;
    // Skippable characters do not count towards the bounds (so removing them changes nothing);
    // every character is still looked at by a bounded number of scans.
    for (std::size_t n = 0; k < cps.size() && n < kMaxFiller; ++k) {
      if (is_skippable(cps[k].cp)) continue;
      ++n;
      if (is_opener(cps[k].cp)) {
        brackets.push_back(k);
      } else if (is_bar(cps[k].cp)) {
        bar = true;
      } else if (!is_filler(cps[k].cp) || cps[k].cp == '\n') {
        break;
      }
    }
    std::string word;
    bool digits = true;
    std::size_t letters = 0;
    for (; k < cps.size() && letters <= kMaxWord; ++k) {
      auto c = cps[k].cp;
      if (is_skippable(c)) continue;
      if (!is_word_char(c)) break;
      text::append_utf8(word, c);
      if (!u_isdigit(static_cast<UChar32>(c))) digits = false;
      ++letters;
    }
    std::size_t m = k;
    for (std::size_t n = 0; m < cps.size() && n < kMaxFiller; ++m) {
      if (is_skippable(cps[m].cp)) continue;
      ++n;
      if (is_closer(cps[m].cp)) {
        brackets.push_back(m);
      } else if (is_bar(cps[m].cp)) {
        bar = true;
      } else if (!is_filler(cps[m].cp) || cps[m].cp == '\n') {
        break;
      }
    }
    bool passage_number = line_start && digits && letters > 0 && letters <= 4;
    bool structural = bar || passage_number || (letters <= kMaxWord && names.reserved(word));
    if (structural) {
      for (auto b : brackets) actions[b] = is_opener(cps[b].cp) ? Action::kOpen : Action::kClose;
    }
    line_start = false;
    i = structural ? m : i + 1;
  }

  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < cps.size(); ++i) {
    if (is_dropped(cps[i].cp)) continue;  // also inside a defused marker
    switch (actions[i]) {
      case Action::kKeep:
        out.append(text.substr(cps[i].pos, cps[i].len));
        break;
      case Action::kOpen:
        out += '(';
        break;
      case Action::kClose:
        out += ')';
        break;
      case Action::kDrop:
        break;
    }
  }
  return out;
}

std::string neutralise_line(std::string_view text) {
  std::string flat;
  flat.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t len = 1;
    auto cp = text::decode_utf8(text, pos, len);
    if (len == 0) len = 1;
    if (cp == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') {
      pos += 1;  // CR LF: one space
      continue;
    }
    if (cp == '\n' || cp == '\r' || cp == 0x2028 || cp == 0x2029 || cp == 0x85) {
      flat += ' ';
    } else {
      flat.append(text.substr(pos, len));
    }
    pos += len;
  }
  return neutralise_data(flat);
}

}  // namespace botfactory::ai
