#pragma once
// The rules of end-to-end encrypted rooms (docs/e2ee.md): device registration, room key
// epochs and wraps, and the envelope check of messages posted or edited in an e2ee room. Plain
// types in, E2eeError out; e2ee_grpc_service translates. The server never sees a room key.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "e2ee/e2ee_repository.hpp"

namespace botfactory::channel {

/// A refused e2ee operation. `code` is the client-facing code when the contract names one
/// (e2ee_required, key_epoch_stale, key_conflict, e2ee_room), "" otherwise.
class E2eeError : public std::runtime_error {
 public:
  enum class Kind { kInvalid, kNotFound, kForbidden, kConflict, kAlreadyExists };
  E2eeError(Kind kind, std::string code, const std::string& message)
      : std::runtime_error(message), kind_(kind), code_(std::move(code)) {}
  Kind kind() const { return kind_; }
  const std::string& code() const { return code_; }

 private:
  Kind kind_;
  std::string code_;
};

/// Bounds of the e2ee tables per request / user.
struct E2eeLimits {
  static constexpr int kMaxDevicesPerUser = 20;
  static constexpr std::size_t kMaxWrapsPerPut = 1000;
};

/// What GET /rooms/{id}/e2ee shows a member.
struct E2eeRoomKeysView {
  std::int32_t key_epoch = 1;
  std::string key_id;
  std::vector<E2eeMemberDevice> devices;
  std::vector<E2eeWrapRow> my_keys;
};

/// Thread-safe (state in PostgreSQL). tenant_id must be a UUID, user_id 1..128 bytes
/// (E2eeError kInvalid otherwise); rooms of another tenant and rooms the user is not a member
/// of are kNotFound.
class E2eeRoomKeys {
 public:
  explicit E2eeRoomKeys(E2eeRepository& repository) : repository_(repository) {}

  /// Registers device `device_id` (22 b64u) with `public_key` (b64u of a P-256 point, checked
  /// with OpenSSL). Idempotent for the same key; kAlreadyExists for another key; kInvalid for a
  /// bad id/key or a 21st device.
  E2eeDeviceRow put_device(const std::string& tenant_id, const std::string& user_id,
                           const std::string& device_id, const std::string& public_key);
  /// The user's devices.
  std::vector<E2eeDeviceRow> devices(const std::string& tenant_id, const std::string& user_id);

  /// A member's view of an e2ee room: key epoch and id, members' devices (has_key for the
  /// current epoch), and every wrap for the caller's `device_id` ("" = none). kConflict for a
  /// room that is not e2ee.
  E2eeRoomKeysView room_keys(const std::string& tenant_id, const std::string& room_id,
                             const std::string& user_id, const std::string& device_id);

  /// Stores wraps of epoch `epoch`'s key `key_id` made by the caller's `sender_device`.
  /// kConflict code key_epoch_stale (epoch ≠ key_epoch; the message names the current one),
  /// code key_conflict (the epoch's key id is another; the message names it); kInvalid for a
  /// bad key id, sender device, wrap (≤ 1024 chars of b64u and '.'), count (1..1000) or a
  /// target that is not a current member's registered device. Returns (key_epoch, key_id,
  /// stored).
  E2eePutOutcome put_keys(const std::string& tenant_id, const std::string& room_id,
                          const std::string& user_id, std::int32_t epoch, const std::string& key_id,
                          const std::string& sender_device, const std::vector<E2eeWrapInput>& wraps);

  /// The check of a message text in a room whose state is (key_epoch, key_id): kInvalid code
  /// e2ee_required unless `text` is an envelope (e2ee_envelope.hpp); kConflict code
  /// key_epoch_stale for another epoch, code key_conflict for another key id (or none stored).
  static void check_envelope(const std::string& text, std::int32_t key_epoch, const std::string& key_id);

  /// check_envelope() when `conversation_id` is an e2ee room; nothing for other conversations.
  void check_text(const std::string& conversation_id, const std::string& text);
  /// True when `conversation_id` is an e2ee room.
  bool is_e2ee_room(const std::string& conversation_id);

 private:
  E2eeRepository& repository_;
};

}  // namespace botfactory::channel
