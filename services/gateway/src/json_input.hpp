#pragma once
// Client JSON (REST bodies and WebSocket frames) parsed once and checked for text that must
// never travel on: control characters (common::find_control_char) in any string, key or value,
// at any depth. A JSON "\u0000" escape therefore never reaches a service or libpq.

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace botfactory::gateway {

/// The outcome of parse_json_input().
struct JsonInput {
  enum class Status {
    kOk,
    kInvalidJson,   // not JSON (RFC 8259)
    kControlChar,   // a string holds a control character other than \t \n \r
  } status = Status::kOk;
  boost::json::value value;  // kOk: the document
  std::string field;         // kControlChar: the key of the offending string ("" at top level)
};

/// Parses `text` (UTF-8 JSON) and refuses any string, object key included, that holds a
/// control character other than tab, line feed and carriage return (Unicode Cc; see
/// common::find_control_char). Never throws for bad input.
JsonInput parse_json_input(std::string_view text);

/// The message for a kControlChar result, naming `field`: "`text` must not contain control
/// characters (only tab, line feed and carriage return are allowed)".
std::string control_char_message(std::string_view field);

}  // namespace botfactory::gateway
