#pragma once
// Start-up checks of shared secrets (JWT_SECRET, INTERNAL_RPC_SECRET): every service refuses a
// missing, short or publicly known secret unless development mode is explicitly switched on.

#include <cstddef>
#include <string>
#include <string_view>

namespace botfactory::common {

/// Shortest accepted secret, in bytes (256 bits, the HMAC-SHA-256 key size recommended by
/// RFC 7518 section 3.2 for HS256).
inline constexpr std::size_t kMinSecretBytes = 32;

/// The environment variable that switches development mode on: "1" accepts missing, short and
/// known secrets with a loud warning. Never set it in production.
inline constexpr const char* kInsecureDevFlag = "BOTFACTORY_INSECURE_DEV";

/// Why `value` is not acceptable as a secret ("is not set", "is shorter than 32 bytes",
/// "is a publicly known value from the BotFactory repository"), or an empty string when it is.
std::string secret_problem(std::string_view value);

/// The development stand-in used for secret `name` in development mode when it is unset: a
/// fixed, public string (so every local service agrees on it), itself on the known list.
std::string insecure_dev_secret(std::string_view name);

/// The value of secret environment variable `name` (e.g. "JWT_SECRET"), checked with
/// secret_problem(). A bad value throws ConfigError("<name> <problem>; set it to at least 32
/// random bytes, e.g. $(openssl rand -hex 32)") unless BOTFACTORY_INSECURE_DEV=1: then it logs a
/// warning and returns the value as given, or insecure_dev_secret(name) when unset. The value
/// itself is never logged.
std::string require_secret(const char* name);

}  // namespace botfactory::common
