#pragma once
// look: the rules of a bot's chat widget appearance (docs/widget.md "Appearance", docs/api.md
// "Bots"), on plain types. Each check throws rpc::StatusError INVALID_ARGUMENT whose message
// names the field (the gateway answers 400 validation_failed with it).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace botfactory::registry {

inline constexpr const char* kDefaultWidgetColor = "#3b3fd8";  // the widget's built-in accent
inline constexpr std::size_t kMaxWidgetTitleChars = 60;
inline constexpr std::size_t kMaxSuggestedQuestions = 4;
inline constexpr std::size_t kMaxSuggestedQuestionChars = 80;

/// A checked appearance, as stored (registry.bots.widget_*).
struct WidgetFields {
  std::string color = kDefaultWidgetColor;  // "#rrggbb", lower case
  std::string title;                        // "" = the bot's name
  std::string position = "right";           // "right" | "left"
  std::vector<std::string> suggested_questions;
};

/// Checks and normalises an appearance given as UTF-8 strings:
/// - `color`: "" → kDefaultWidgetColor, else "#" + 6 hex digits (any case; stored lower case);
/// - `title`: trimmed (ASCII whitespace), 0..60 code points, valid UTF-8, no control character
///   (common::find_control_char, and no tab / line break either: it is one line);
/// - `position`: "" → "right", else "right" or "left";
/// - `questions`: at most 4; each trimmed, 1..80 code points, valid UTF-8, no control character
///   (as the title); exact duplicates dropped, order kept.
WidgetFields checked_widget(std::string_view color, std::string_view title, std::string_view position,
                            const std::vector<std::string>& questions);

}  // namespace botfactory::registry
