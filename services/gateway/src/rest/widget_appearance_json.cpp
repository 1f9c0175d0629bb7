#include "rest/widget_appearance_json.hpp"

#include <string>

#include <boost/json/array.hpp>

#include "http/api_error.hpp"
#include "rest/rest_json.hpp"

namespace botfactory::gateway {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxQuestionsRead = 16;  // a bound on what is copied; the rule is 4

ApiError invalid(const std::string& message) { return ApiError(400, "validation_failed", message); }

}  // namespace

registry::v1::WidgetAppearance widget_from_json(const json::value& value) {
  if (!value.is_object()) throw invalid("widget must be an object");
  const auto& object = value.as_object();
  registry::v1::WidgetAppearance widget;
  widget.set_color(string_member(object, "color", "widget.color"));
  widget.set_title(string_member(object, "title", "widget.title"));
  widget.set_position(string_member(object, "position", "widget.position"));
  if (auto it = object.find("suggested_questions"); it != object.end() && !it->value().is_null()) {
    const char* shape = "widget.suggested_questions must be an array of strings";
    if (!it->value().is_array()) throw invalid(shape);
    const auto& items = it->value().as_array();
    if (items.size() > kMaxQuestionsRead) {
      throw invalid("widget.suggested_questions must hold at most 4 questions");
    }
    for (const auto& item : items) {
      if (!item.is_string()) throw invalid(shape);
      widget.add_suggested_questions(std::string(item.as_string()));
    }
  }
  return widget;
}

json::object widget_json(const registry::v1::WidgetAppearance& widget) {
  json::array questions;
  for (const auto& question : widget.suggested_questions()) questions.emplace_back(question);
  return {{"color", widget.color()},
          {"title", widget.title()},
          {"position", widget.position()},
          {"suggested_questions", std::move(questions)}};
}

json::object widget_bot_json(const registry::v1::Bot& bot) {
  return {{"name", bot.name()}, {"language", bot.language()}, {"greeting", bot.greeting()},
          {"widget", widget_json(bot.widget())}};
}

}  // namespace botfactory::gateway
