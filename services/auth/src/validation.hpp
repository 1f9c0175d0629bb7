#pragma once
// Input rules for registration and visitor tokens; pure functions, no I/O.

#include <optional>
#include <string>
#include <string_view>

namespace botfactory::auth {

/// Longest accepted email address (RFC 5321 section 4.5.3.1.3 path limit minus the brackets).
inline constexpr std::size_t kMaxEmailLength = 254;
/// Username length bounds, in characters of [A-Za-z0-9_.-].
inline constexpr std::size_t kMinUsernameLength = 3;
inline constexpr std::size_t kMaxUsernameLength = 32;
/// Password length bounds, in bytes of well-formed UTF-8.
inline constexpr std::size_t kMinPasswordBytes = 8;
inline constexpr std::size_t kMaxPasswordBytes = 256;
/// Longest visitor display name, in Unicode code points.
inline constexpr std::size_t kMaxVisitorNameLength = 64;

/// The canonical stored form of an email: trimmed and ASCII lower-cased.
std::string normalize_email(std::string_view email);

/// Why `email` (already normalized) is not acceptable, or std::nullopt when it is: exactly one
/// '@', a non-empty local part, a domain with a dot that neither starts nor ends it, no
/// whitespace or control characters, at most kMaxEmailLength bytes.
std::optional<std::string> email_problem(std::string_view email);

/// Why `username` is not acceptable (length outside [3, 32] or a character outside
/// [A-Za-z0-9_.-]), or std::nullopt.
std::optional<std::string> username_problem(std::string_view username);

/// Why `password` is not acceptable (not UTF-8, or outside [8, 256] bytes), or std::nullopt.
std::optional<std::string> password_problem(std::string_view password);

}  // namespace botfactory::auth
