#include "http/multipart.hpp"

#include "botfactory/common/text.hpp"

namespace botfactory::gateway {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && common::to_lower_ascii(a) == common::to_lower_ascii(b);
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> header_parameter(std::string_view value, std::string_view name) {
  // Skip the leading type ("form-data" / "multipart/form-data").
  auto semi = value.find(';');
  while (semi != std::string_view::npos) {
    value = value.substr(semi + 1);
    value = trim_ows(value);
    auto eq = value.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view key = trim_ows(value.substr(0, eq));
    value = trim_ows(value.substr(eq + 1));
    std::string parsed;
    if (!value.empty() && value.front() == '"') {
      std::size_t i = 1;
      bool closed = false;
      for (; i < value.size(); ++i) {
        char c = value[i];
        if (c == '\\' && i + 1 < value.size()) {
          parsed.push_back(value[++i]);
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          parsed.push_back(c);
        }
      }
      if (!closed) return std::nullopt;
      value = value.substr(i + 1);
      semi = value.find(';');
    } else {
      semi = value.find(';');
      parsed = std::string(trim_ows(value.substr(0, semi)));
    }
    if (iequals(key, name)) return parsed;
  }
  return std::nullopt;
}

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  auto semi = content_type.find(';');
  if (!iequals(trim_ows(content_type.substr(0, semi)), "multipart/form-data")) return std::nullopt;
  auto boundary = header_parameter(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 70) return std::nullopt;
  return boundary;
}

std::optional<std::vector<MultipartPart>> parse_multipart(std::string_view body,
                                                          std::string_view boundary) {
  const std::string delimiter = "--" + std::string(boundary);
  const std::string inner_delimiter = "\r\n" + delimiter;
  std::vector<MultipartPart> parts;

  // The first delimiter starts the body or follows a preamble ending in CRLF.
  std::size_t pos;
  if (body.substr(0, delimiter.size()) == delimiter) {
    pos = delimiter.size();
  } else {
    auto found = body.find(inner_delimiter);
    if (found == std::string_view::npos) return std::nullopt;
    pos = found + inner_delimiter.size();
  }
  for (;;) {
    if (body.substr(pos, 2) == "--") return parts;  // close delimiter
    // Transport padding, then CRLF.
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != "\r\n") return std::nullopt;
    pos += 2;

    auto headers_end = body.find("\r\n\r\n", pos);
    std::string_view headers;
    if (body.substr(pos, 2) == "\r\n") {  // no headers at all
      headers_end = pos;
      headers = {};
      pos += 2;
    } else {
      if (headers_end == std::string_view::npos) return std::nullopt;
      headers = body.substr(pos, headers_end - pos);
      pos = headers_end + 4;
    }
    auto part_end = body.find(inner_delimiter, pos);
    if (part_end == std::string_view::npos) return std::nullopt;

    MultipartPart part;
    bool form_data = false;
    while (!headers.empty()) {
      auto eol = headers.find("\r\n");
      std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
      auto colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view name = trim_ows(line.substr(0, colon));
      std::string_view value = trim_ows(line.substr(colon + 1));
      if (iequals(name, "content-disposition")) {
        auto semi = value.find(';');
        if (!iequals(trim_ows(value.substr(0, semi)), "form-data")) return std::nullopt;
        form_data = true;
        part.name = header_parameter(value, "name").value_or("");
        part.filename = header_parameter(value, "filename");
      } else if (iequals(name, "content-type")) {
        part.content_type = std::string(value);
      }
    }
    if (!form_data) return std::nullopt;
    part.body = std::string(body.substr(pos, part_end - pos));
    parts.push_back(std::move(part));
    pos = part_end + inner_delimiter.size();
  }
}

}  // namespace botfactory::gateway
