#pragma once
// The text grammar of end-to-end encrypted rooms (docs/e2ee.md "Contract"): the message
// envelope `e2ee.v1.<epoch>.<key_id>.<iv>.<ciphertext>` and the opaque identifiers and key
// blobs the server stores. The server never decrypts; it only checks shapes. No I/O; fuzzed by
// tests/fuzz/e2ee_envelope_fuzz.cpp.

#include <cstdint>
#include <optional>
#include <string_view>

#include "chat/room_act_check.hpp"

namespace botfactory::channel {

/// Limits of the grammar (characters; b64u = base64url without padding, RFC 4648 section 5).
struct E2eeGrammar {
  static constexpr std::size_t kIdChars = 22;           // key_id, device_id: 16 random bytes
  static constexpr std::size_t kIvChars = 16;           // 12-byte AES-GCM iv
  static constexpr std::size_t kMinCiphertextChars = 22;  // ≥ the 16-byte GCM tag
  static constexpr std::size_t kMaxCiphertextChars = 24000;
  static constexpr std::size_t kMaxWrappedKeyChars = 1024;
  static constexpr std::size_t kPublicKeyChars = 87;    // 65-byte uncompressed P-256 point
  static constexpr std::int64_t kMaxEpoch = 2147483647;
};

/// The parts of a message envelope (views into the parsed text).
struct E2eeEnvelope {
  std::int64_t epoch = 0;
  std::string_view key_id;
  std::string_view iv;
  std::string_view ciphertext;
};

/// True when `text` is non-empty, only [A-Za-z0-9_-], and a length a base64url encoding without
/// padding can have (length % 4 != 1).
bool is_b64u(std::string_view text);

/// A key id or device id: exactly 22 b64u characters.
bool is_e2ee_id(std::string_view text);

/// A wrapped room key: 1..1024 characters of b64u and '.' (the browser's
/// `<eph_pub>.<iv>.<ciphertext>`; the server does not look inside).
bool is_wrapped_key(std::string_view text);

/// Parses `e2ee.v1.<epoch>.<key_id>.<iv>.<ciphertext>`: epoch decimal 1..2^31-1 without leading
/// zeros, key_id 22 b64u, iv 16 b64u, ciphertext 22..24000 b64u. Anything else (extra parts,
/// whitespace, padding) is nullopt.
std::optional<E2eeEnvelope> parse_e2ee_envelope(std::string_view text);

/// harden: the (epoch, key id) of `text` when it parses as an envelope, for the in-transaction
/// check of a room act (room_act_check.hpp); std::nullopt otherwise.
std::optional<E2eeKeyCheck> e2ee_key_of(std::string_view text);

}  // namespace botfactory::channel
