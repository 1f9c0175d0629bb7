#pragma once
// PostgreSQL access of end-to-end encrypted rooms (V080, docs/e2ee.md): chat.e2ee_devices,
// chat.e2ee_room_epochs, chat.e2ee_room_key_wraps and the e2ee/key_epoch columns of
// chat.rooms. SQL only; the rules live in e2ee_room_keys.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace botfactory::pg {
class Pool;
}

namespace botfactory::channel {

/// A user's device: ids, b64u public key, created_at (µs since the epoch).
struct E2eeDeviceRow {
  std::string user_id;
  std::string device_id;
  std::string public_key;
  std::int64_t created_at_us = 0;
};

/// A room's e2ee state as one member sees it.
struct E2eeRoomState {
  bool e2ee = false;
  std::int32_t key_epoch = 1;
  std::string key_id;  // of key_epoch; "" while none is stored
  bool member = false;  // the asking user is a member
};

/// A wrap for one device, with the wrapping device.
struct E2eeWrapRow {
  std::int32_t epoch = 0;
  std::string key_id;
  std::string wrapped_key;
  E2eeDeviceRow wrapped_by;
};

/// A current member's device and whether the current epoch's key is wrapped for it.
struct E2eeMemberDevice {
  E2eeDeviceRow device;
  bool has_key = false;
};

/// One wrap to store.
struct E2eeWrapInput {
  std::string user_id;
  std::string device_id;
  std::string wrapped_key;
};

/// Outcome of put_wraps (checked under the room row's lock).
struct E2eePutOutcome {
  enum class Kind { kStored, kNotFound, kNotE2ee, kStale, kConflict, kBadSender, kBadTarget };
  Kind kind = Kind::kStored;
  std::int32_t key_epoch = 0;
  std::string key_id;  // the epoch's key id (the winner's on kConflict)
  int stored = 0;
  std::string bad_target;  // "<user_id>/<device_id>" on kBadTarget
};

/// Repository over the pool; every method borrows one connection and throws pg::Error.
class E2eeRepository {
 public:
  explicit E2eeRepository(pg::Pool& pool);

  /// Inserts the device unless (tenant, user, device) exists; returns the stored row (which
  /// may carry another key) and whether the user had `max_devices` already (then nothing is
  /// inserted and the row is empty).
  std::optional<E2eeDeviceRow> put_device(const std::string& tenant_id, const std::string& user_id,
                                          const std::string& device_id,
                                          const std::string& public_key, int max_devices);
  /// The user's devices, oldest first (at most 100).
  std::vector<E2eeDeviceRow> devices(const std::string& tenant_id, const std::string& user_id);

  /// The room of `tenant_id` (nullopt when unknown) with the membership of user `user_id`.
  std::optional<E2eeRoomState> room_state(const std::string& tenant_id, const std::string& room_id,
                                          const std::string& user_id);
  /// e2ee/key_epoch/key_id of a room by conversation id alone (nullopt when not a room).
  std::optional<E2eeRoomState> conversation_state(const std::string& conversation_id);

  /// Devices of the room's current user members, with has_key for `epoch` (at most 2000).
  std::vector<E2eeMemberDevice> member_devices(const std::string& tenant_id,
                                               const std::string& room_id, std::int32_t epoch);
  /// Every wrap for (user, device) in the room, oldest epoch first.
  std::vector<E2eeWrapRow> wraps_for(const std::string& tenant_id, const std::string& room_id,
                                     const std::string& user_id, const std::string& device_id);

  /// In one transaction under a share lock of the room row (so a leave's epoch bump waits):
  /// the room must be the tenant's e2ee room with `user_id` a member, `epoch` its key_epoch,
  /// `sender_device` the user's device; the epoch's key id is fixed to `key_id` if unset and
  /// must equal it; every target must be a current user member's registered device; new wraps
  /// are inserted, existing ones kept.
  E2eePutOutcome put_wraps(const std::string& tenant_id, const std::string& room_id,
                           const std::string& user_id, const std::string& sender_device,
                           std::int32_t epoch, const std::string& key_id,
                           const std::vector<E2eeWrapInput>& wraps);

 private:
  pg::Pool& pool_;
};

}  // namespace botfactory::channel
