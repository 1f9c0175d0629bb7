#include "widget_appearance.hpp"

#include <algorithm>

#include "botfactory/common/text.hpp"
#include "botfactory/rpc/status.hpp"

namespace botfactory::registry {
namespace {

/// One line of text: valid UTF-8 without any control character (tab and line breaks included).
void check_line(std::string_view value, const std::string& field) {
  if (!common::is_valid_utf8(value)) rpc::throw_invalid(field + " is not valid UTF-8");
  if (common::find_control_char(value) != std::string_view::npos ||
      value.find_first_of("\t\r\n") != std::string_view::npos) {
    rpc::throw_invalid(field + " must not contain control characters or line breaks");
  }
}

std::string checked_color(std::string_view color) {
  if (color.empty()) return kDefaultWidgetColor;
  const bool ok = color.size() == 7 && color[0] == '#' &&
                  std::all_of(color.begin() + 1, color.end(), common::is_hex_digit);
  if (!ok) rpc::throw_invalid("widget.color must be a colour like #1a2b3c");
  return common::to_lower_ascii(color);
}

}  // namespace

WidgetFields checked_widget(std::string_view color, std::string_view title, std::string_view position,
                            const std::vector<std::string>& questions) {
  WidgetFields fields;
  fields.color = checked_color(color);

  auto trimmed_title = common::trim(title);
  check_line(trimmed_title, "widget.title");
  if (common::utf8_length(trimmed_title) > kMaxWidgetTitleChars) {
    rpc::throw_invalid("widget.title must be at most " + std::to_string(kMaxWidgetTitleChars) + " characters");
  }
  fields.title = std::string(trimmed_title);

  if (position.empty() || position == "right") {
    fields.position = "right";
  } else if (position == "left") {
    fields.position = "left";
  } else {
    rpc::throw_invalid("widget.position must be right or left");
  }

  if (questions.size() > kMaxSuggestedQuestions) {
    rpc::throw_invalid("widget.suggested_questions must hold at most " +
                       std::to_string(kMaxSuggestedQuestions) + " questions");
  }
  for (std::size_t i = 0; i < questions.size(); ++i) {
    const std::string field = "widget.suggested_questions[" + std::to_string(i) + "]";
    auto question = common::trim(questions[i]);
    check_line(question, field);
    const auto length = common::utf8_length(question);
    if (length == 0 || length > kMaxSuggestedQuestionChars) {
      rpc::throw_invalid(field + " must be 1 to " + std::to_string(kMaxSuggestedQuestionChars) + " characters");
    }
    auto& kept = fields.suggested_questions;
    if (std::find(kept.begin(), kept.end(), question) == kept.end()) kept.emplace_back(question);
  }
  return fields;
}

}  // namespace botfactory::registry
