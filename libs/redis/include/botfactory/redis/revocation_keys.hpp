#pragma once
// Names and payload of the per-user token revocation record (docs/security.md "Revoked access
// tokens"): auth writes them after a membership or role change, the gateway reads them.

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace botfactory::redis {

/// The string key holding "tokens of `user_id` issued before this Unix ms are void":
/// `<prefix>user_revoked:<user_id>` (prefix = REDIS_KEY_PREFIX); value = decimal Unix ms.
inline std::string user_revoked_key(std::string_view prefix, std::string_view user_id) {
  std::string key(prefix);
  key += "user_revoked:";
  key += user_id;
  return key;
}

/// The pub/sub channel on which auth announces a revocation at once: `<prefix>user_revoked`.
inline std::string user_revoked_channel(std::string_view prefix) {
  std::string channel(prefix);
  channel += "user_revoked";
  return channel;
}

/// The channel payload: "<user_id> <valid_from_ms>".
inline std::string user_revoked_payload(std::string_view user_id, std::int64_t valid_from_ms) {
  std::string payload(user_id);
  payload += ' ';
  payload += std::to_string(valid_from_ms);
  return payload;
}

/// Parses a decimal Unix ms (> 0); nothing for anything else.
inline std::optional<std::int64_t> parse_revoked_ms(std::string_view text) {
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

/// Parses a payload of user_revoked_payload(): (user id, valid_from_ms); nothing when malformed.
inline std::optional<std::pair<std::string, std::int64_t>> parse_user_revoked_payload(
    std::string_view payload) {
  auto space = payload.find(' ');
  if (space == std::string_view::npos || space == 0 || space > 64) return std::nullopt;
  auto ms = parse_revoked_ms(payload.substr(space + 1));
  if (!ms) return std::nullopt;
  return std::make_pair(std::string(payload.substr(0, space)), *ms);
}

}  // namespace botfactory::redis
