#include "validation.hpp"

#include "botfactory/common/text.hpp"

namespace botfactory::auth {
namespace {

bool is_username_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

}  // namespace

std::string normalize_email(std::string_view email) {
  return common::to_lower_ascii(common::trim(email));
}

std::optional<std::string> email_problem(std::string_view email) {
  if (email.empty()) return "email is required";
  if (email.size() > kMaxEmailLength) return "email is longer than 254 characters";
  if (!common::is_valid_utf8(email)) return "email is not valid UTF-8";
  for (char c : email) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return "email must not contain spaces or control characters";
  }
  auto at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    return "email must contain exactly one @";
  }
  auto local = email.substr(0, at);
  auto domain = email.substr(at + 1);
  if (local.empty()) return "email has an empty local part";
  auto dot = domain.find('.');
  if (domain.empty() || dot == std::string_view::npos || domain.front() == '.' ||
      domain.back() == '.') {
    return "email domain must contain a dot";
  }
  return std::nullopt;
}

std::optional<std::string> username_problem(std::string_view username) {
  if (username.size() < kMinUsernameLength || username.size() > kMaxUsernameLength) {
    return "username must be 3 to 32 characters";
  }
  for (char c : username) {
    if (!is_username_char(c)) return "username may contain only letters, digits, '_', '.' and '-'";
  }
  return std::nullopt;
}

std::optional<std::string> password_problem(std::string_view password) {
  if (!common::is_valid_utf8(password)) return "password is not valid UTF-8";
  if (password.size() < kMinPasswordBytes) return "password must be at least 8 bytes";
  if (password.size() > kMaxPasswordBytes) return "password must be at most 256 bytes";
  return std::nullopt;
}

}  // namespace botfactory::auth
