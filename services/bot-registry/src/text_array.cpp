#include "text_array.hpp"

namespace botfactory::registry {

std::string text_array_literal(const std::vector<std::string>& values) {
  std::size_t size = 2;
  for (const auto& v : values) size += v.size() + 3;
  std::string out;
  out.reserve(size);
  out += '{';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::vector<std::string> text_array_elements(std::string_view array) {
  std::vector<std::string> out;
  if (array.size() < 2 || array.front() != '{' || array.back() != '}') return out;
  std::string_view body = array.substr(1, array.size() - 2);
  std::size_t i = 0;
  while (i < body.size()) {
    std::string element;
    bool quoted = body[i] == '"';
    if (quoted) {
      for (++i; i < body.size() && body[i] != '"'; ++i) {
        if (body[i] == '\\' && i + 1 < body.size()) ++i;
        element += body[i];
      }
      ++i;  // closing quote
      out.push_back(std::move(element));
    } else {
      auto comma = body.find(',', i);
      if (comma == std::string_view::npos) comma = body.size();
      element = std::string(body.substr(i, comma - i));
      i = comma;
      if (element != "NULL") out.push_back(std::move(element));
    }
    if (i < body.size() && body[i] == ',') ++i;
  }
  return out;
}

}  // namespace botfactory::registry
