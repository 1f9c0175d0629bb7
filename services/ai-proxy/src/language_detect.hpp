#pragma once
// Which of the answerer's languages (en, ru, uz) a visitor's message is written in.

#include <string>
#include <string_view>

namespace botfactory::ai {

/// The language of UTF-8 `text` among "en", "ru" and "uz", or "" when it cannot tell (no
/// letters, another script, or too few clues). Rules, in order: at least as many words
/// starting with a Cyrillic letter as with a Latin one → "uz" when an Uzbek-only Cyrillic letter (ў қ ғ ҳ) or an Uzbek Cyrillic word of
/// a small list occurs, otherwise "ru"; Latin letters → "uz" when the Uzbek apostrophe letters
/// (oʻ gʻ with U+02BB/U+02BC/U+2018/ASCII ') or words of a small Uzbek list outnumber the
/// words of a small English list, "en" when English words are found, "" when there is no clue
/// either way ("spam"). Invalid UTF-8 bytes count as nothing. Never throws.
std::string detect_language(std::string_view text);

/// The language to reply in: `detected` when it is one of en/ru/uz, else `bot_language` when it
/// is one of those, else "en".
std::string reply_language(std::string_view detected, std::string_view bot_language);

}  // namespace botfactory::ai
