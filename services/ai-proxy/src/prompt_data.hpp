#pragma once
// Text that goes into a model prompt as data (knowledge passages, titles, visitor and history
// messages, the business's instructions) made unable to pose as the prompt's own structure:
// delimiter and role-marker look-alikes are defused, invisible smuggling characters dropped.

#include <string>
#include <string_view>

namespace botfactory::ai {

/// Returns `text` (UTF-8; invalid bytes pass through) with every tag-like marker that could be
/// read as prompt structure defused: an opening bracket (`<`, `[` or a look-alike such as
/// `＜ ‹ 〈 ⟨ ［ 【`) followed — after spaces, `/`, `|` and invisible format characters — by a
/// reserved word (knowledge, passage, system, instructions, rules, user, assistant, model,
/// inst, sys, s, im_start, eot_id, … and ru/uz "система", "инструкции", "tizim"; any word
/// starting with "knowledge", the prompt's own block name) has that
/// bracket and the closing bracket(s) after the word replaced by `(` and `)`; so has any
/// `<|…|>` special-token look-alike and a `[n]` passage number at the start of a line. The
/// word is compared by its UTS #39 confusable skeleton after NFKC case folding (ICU), so
/// Cyrillic/Greek homoglyphs, fullwidth and mathematical letters and zero-width characters
/// inside it do not hide it. Unicode tag characters (U+E0000–U+E007F, "ASCII smuggling"),
/// variation selectors supplement (U+E0100–U+E01EF) and C0/C1 controls other than tab and
/// line feed are removed. Everything else is kept byte for byte. Never throws for any input.
std::string neutralise_data(std::string_view text);

/// `text` on one line: line breaks (CR, LF, U+2028, U+2029, U+0085) become spaces, then
/// neutralise_data(). For titles, which sit on a line of the prompt's own structure.
std::string neutralise_line(std::string_view text);

}  // namespace botfactory::ai
