#include "botfactory/common/web_origin.hpp"

#include "botfactory/common/text.hpp"

namespace botfactory::common {
namespace {

constexpr std::size_t kMaxOriginBytes = 255;

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool valid_dns_host(std::string_view host) {
  if (host.empty() || host.size() > 253 || host.front() == '.' || host.back() == '.' ||
      host.front() == '-') {
    return false;
  }
  char previous = 0;
  for (char c : host) {
    if (!(is_alnum(c) || c == '-' || c == '.')) return false;
    if (c == '.' && previous == '.') return false;
    previous = c;
  }
  return true;
}

bool valid_ipv6_literal(std::string_view host) {  // "[...]"
  if (host.size() < 4 || host.front() != '[' || host.back() != ']') return false;
  for (char c : host.substr(1, host.size() - 2)) {
    if (!(is_hex(c) || c == ':' || c == '.')) return false;
  }
  return host.find(':') != std::string_view::npos;
}

}  // namespace

std::optional<std::string> canonical_origin(std::string_view origin) {
  if (origin.empty() || origin.size() > kMaxOriginBytes) return std::nullopt;
  auto separator = origin.find("://");
  if (separator == std::string_view::npos) return std::nullopt;
  std::string scheme = to_lower_ascii(origin.substr(0, separator));
  if (scheme != "http" && scheme != "https") return std::nullopt;
  std::string_view rest = origin.substr(separator + 3);
  std::string_view host = rest;
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = rest.substr(0, close + 1);
    auto after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
      if (port.empty()) return std::nullopt;
    }
    if (!valid_ipv6_literal(host)) return std::nullopt;
  } else {
    auto colon = rest.find(':');
    if (colon != std::string_view::npos) {
      host = rest.substr(0, colon);
      port = rest.substr(colon + 1);
      if (port.empty()) return std::nullopt;
    }
    if (!valid_dns_host(host)) return std::nullopt;
  }
  std::string canonical = scheme + "://" + to_lower_ascii(host);
  if (!port.empty()) {
    if (port.size() > 5) return std::nullopt;
    unsigned value = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) return std::nullopt;
    bool default_port = (scheme == "http" && value == 80) || (scheme == "https" && value == 443);
    if (!default_port) canonical += ":" + std::to_string(value);
  }
  return canonical;
}

}  // namespace botfactory::common
