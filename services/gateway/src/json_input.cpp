#include "json_input.hpp"

#include <boost/json/parse.hpp>

#include "botfactory/common/text.hpp"

namespace botfactory::gateway {
namespace {

namespace json = boost::json;

constexpr int kMaxDepth = 64;  // Boost.JSON's default parse depth limit is 32; never reached

bool clean(std::string_view text) { return common::find_control_char(text) == std::string_view::npos; }

/// True when every string under `value` is clean; else sets `field` to the key it was under.
bool check(const json::value& value, std::string_view key, std::string& field, int depth) {
  if (depth > kMaxDepth) return true;
  switch (value.kind()) {
    case json::kind::string:
      if (clean(value.get_string())) return true;
      field = std::string(key);
      return false;
    case json::kind::array:
      for (const auto& item : value.get_array()) {
        if (!check(item, key, field, depth + 1)) return false;
      }
      return true;
    case json::kind::object:
      for (const auto& member : value.get_object()) {
        if (!clean(member.key())) {
          field = "(a key)";
          return false;
        }
        if (!check(member.value(), member.key(), field, depth + 1)) return false;
      }
      return true;
    default:
      return true;
  }
}

}  // namespace

JsonInput parse_json_input(std::string_view text) {
  JsonInput input;
  boost::system::error_code ec;
  input.value = json::parse(text, ec);
  if (ec) {
    input.status = JsonInput::Status::kInvalidJson;
    input.value = nullptr;
    return input;
  }
  if (!check(input.value, "", input.field, 0)) {
    input.status = JsonInput::Status::kControlChar;
    input.value = nullptr;
  }
  return input;
}

std::string control_char_message(std::string_view field) {
  std::string message;
  if (field.empty()) {
    message = "a string";
  } else {
    message.append("`").append(field).append("`");
  }
  message.append(
      " must not contain control characters (only tab, line feed and carriage return are "
      "allowed)");
  return message;
}

}  // namespace botfactory::gateway
