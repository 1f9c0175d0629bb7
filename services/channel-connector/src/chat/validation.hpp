#pragma once
// Input checks of channel-connector requests (proto/botfactory/chat/v1/chat.proto limits).

#include <cstddef>
#include <string>
#include <string_view>

#include "botfactory/chat/v1/chat.pb.h"

namespace botfactory::channel {

/// Longest message text, in Unicode code points after trimming.
inline constexpr std::size_t kMaxTextCodePoints = 4000;
/// Longest client idempotency key, in code points.
inline constexpr std::size_t kMaxClientIdCodePoints = 64;
/// Longest sender id / sender (visitor) name, in code points.
inline constexpr std::size_t kMaxSenderIdCodePoints = 128;
inline constexpr std::size_t kMaxSenderNameCodePoints = 200;

/// Checks a PostMessage request and returns its text trimmed of surrounding whitespace.
/// Throws rpc::StatusError INVALID_ARGUMENT when conversation_id is empty, client_id is not
/// 1..64 code points, the sender kind is unset or unknown, a sender field is too long, or the
/// text is not valid UTF-8 / contains NUL / is empty or over 4000 code points after trimming.
std::string validate_post(const chat::v1::PostMessageRequest& request);

/// Checks that `value` (named `field` in the error) is valid UTF-8 without NUL and at most
/// `max_code_points` long. Throws rpc::StatusError INVALID_ARGUMENT otherwise.
void check_text_field(std::string_view field, std::string_view value, std::size_t max_code_points);

/// The first `max_code_points` code points of well-formed UTF-8 `text`.
std::string truncate_code_points(std::string_view text, std::size_t max_code_points);

}  // namespace botfactory::channel
