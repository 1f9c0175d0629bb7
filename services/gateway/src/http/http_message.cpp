#include "http/http_message.hpp"

#include <algorithm>
#include <cctype>

#include "botfactory/common/text.hpp"

namespace botfactory::gateway {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool percent_decode(std::string_view text, bool plus_as_space, std::string& out) {
  out.clear();
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return false;
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

ParsedTarget parse_target(std::string_view target) {
  ParsedTarget parsed;
  auto question = target.find('?');
  std::string_view raw_path = target.substr(0, question);
  if (!percent_decode(raw_path, false, parsed.path)) parsed.ok = false;
  // An encoded '/' (%2F) would turn one segment into two after decoding, so that
  // "/bots/x%2Fknowledge" matched "/bots/{id}/knowledge": refused, as most servers do.
  if (parsed.path.size() != raw_path.size() &&
      std::count(parsed.path.begin(), parsed.path.end(), '/') !=
          std::count(raw_path.begin(), raw_path.end(), '/')) {
    parsed.ok = false;
  }
  // A decoded %00 (or another control character) must not reach a service or libpq.
  if (common::find_control_char(parsed.path) != std::string_view::npos) parsed.ok = false;
  if (question == std::string_view::npos) return parsed;
  std::string_view query = target.substr(question + 1);
  if (auto hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string key;
    std::string value;
    if (!percent_decode(pair.substr(0, eq), true, key) ||
        (eq != std::string_view::npos && !percent_decode(pair.substr(eq + 1), true, value)) ||
        common::find_control_char(key) != std::string_view::npos ||
        common::find_control_char(value) != std::string_view::npos) {
      parsed.ok = false;
      continue;
    }
    parsed.query[key] = value;
  }
  return parsed;
}

std::string_view bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return {};
  }
  auto token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

}  // namespace botfactory::gateway
