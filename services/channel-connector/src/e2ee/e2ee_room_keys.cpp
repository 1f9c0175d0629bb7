#include "e2ee/e2ee_room_keys.hpp"

#include "botfactory/common/ids.hpp"
#include "e2ee/e2ee_envelope.hpp"
#include "e2ee/e2ee_public_key.hpp"

namespace botfactory::channel {
namespace {

using Kind = E2eeError::Kind;

[[noreturn]] void fail(Kind kind, const std::string& message, const std::string& code = "") {
  throw E2eeError(kind, code, message);
}

void check_caller(const std::string& tenant_id, const std::string& user_id) {
  if (!common::is_uuid(tenant_id)) fail(Kind::kInvalid, "tenant_id must be a UUID");
  if (user_id.empty() || user_id.size() > 128) fail(Kind::kInvalid, "user id is required (≤ 128 bytes)");
}

void check_room_id(const std::string& room_id) {
  if (!common::is_uuid(room_id)) fail(Kind::kNotFound, "room not found");
}

}  // namespace

E2eeDeviceRow E2eeRoomKeys::put_device(const std::string& tenant_id, const std::string& user_id,
                                       const std::string& device_id, const std::string& public_key) {
  check_caller(tenant_id, user_id);
  if (!is_e2ee_id(device_id)) fail(Kind::kInvalid, "device_id must be 22 base64url characters");
  if (!valid_p256_public_key(public_key)) {
    fail(Kind::kInvalid, "public_key must be base64url (no padding) of an uncompressed P-256 point");
  }
  auto stored = repository_.put_device(tenant_id, user_id, device_id, public_key,
                                       E2eeLimits::kMaxDevicesPerUser);
  if (!stored) {
    fail(Kind::kInvalid, "at most " + std::to_string(E2eeLimits::kMaxDevicesPerUser) + " devices per user");
  }
  if (stored->public_key != public_key) {
    fail(Kind::kAlreadyExists, "this device id is registered with another public key");
  }
  return std::move(*stored);
}

std::vector<E2eeDeviceRow> E2eeRoomKeys::devices(const std::string& tenant_id, const std::string& user_id) {
  check_caller(tenant_id, user_id);
  return repository_.devices(tenant_id, user_id);
}

E2eeRoomKeysView E2eeRoomKeys::room_keys(const std::string& tenant_id, const std::string& room_id,
                                         const std::string& user_id, const std::string& device_id) {
  check_caller(tenant_id, user_id);
  check_room_id(room_id);
  if (!device_id.empty() && !is_e2ee_id(device_id)) {
    fail(Kind::kInvalid, "device_id must be 22 base64url characters");
  }
  auto state = repository_.room_state(tenant_id, room_id, user_id);
  if (!state || !state->member) fail(Kind::kNotFound, "room not found");
  if (!state->e2ee) fail(Kind::kConflict, "the room is not end-to-end encrypted");
  E2eeRoomKeysView view;
  view.key_epoch = state->key_epoch;
  view.key_id = state->key_id;
  view.devices = repository_.member_devices(tenant_id, room_id, state->key_epoch);
  if (!device_id.empty()) view.my_keys = repository_.wraps_for(tenant_id, room_id, user_id, device_id);
  return view;
}

E2eePutOutcome E2eeRoomKeys::put_keys(const std::string& tenant_id, const std::string& room_id,
                                      const std::string& user_id, std::int32_t epoch,
                                      const std::string& key_id, const std::string& sender_device,
                                      const std::vector<E2eeWrapInput>& wraps) {
  check_caller(tenant_id, user_id);
  check_room_id(room_id);
  if (epoch < 1) fail(Kind::kInvalid, "epoch must be >= 1");
  if (!is_e2ee_id(key_id)) fail(Kind::kInvalid, "key_id must be 22 base64url characters");
  if (!is_e2ee_id(sender_device)) fail(Kind::kInvalid, "device_id must be 22 base64url characters");
  if (wraps.empty() || wraps.size() > E2eeLimits::kMaxWrapsPerPut) {
    fail(Kind::kInvalid, "keys must hold 1.." + std::to_string(E2eeLimits::kMaxWrapsPerPut) + " wraps");
  }
  for (const auto& w : wraps) {
    if (w.user_id.empty() || w.user_id.size() > 128 || !is_e2ee_id(w.device_id)) {
      fail(Kind::kInvalid, "every key needs a user_id and a 22-character device_id");
    }
    if (!is_wrapped_key(w.wrapped_key)) {
      fail(Kind::kInvalid, "wrapped_key must be 1..1024 characters of base64url and '.'");
    }
  }
  auto out = repository_.put_wraps(tenant_id, room_id, user_id, sender_device, epoch, key_id, wraps);
  using Outcome = E2eePutOutcome::Kind;
  switch (out.kind) {
    case Outcome::kStored: return out;
    case Outcome::kNotFound: fail(Kind::kNotFound, "room not found");
    case Outcome::kNotE2ee: fail(Kind::kConflict, "the room is not end-to-end encrypted");
    case Outcome::kStale:
      fail(Kind::kConflict, "the room's key_epoch is " + std::to_string(out.key_epoch), "key_epoch_stale");
    case Outcome::kConflict:
      fail(Kind::kConflict, "epoch " + std::to_string(epoch) + " already uses key_id " + out.key_id,
           "key_conflict");
    case Outcome::kBadSender: fail(Kind::kInvalid, "device_id is not a registered device of yours");
    case Outcome::kBadTarget:
      fail(Kind::kInvalid, "not a current member's registered device: " + out.bad_target);
  }
  return out;
}

void E2eeRoomKeys::check_envelope(const std::string& text, std::int32_t key_epoch,
                                  const std::string& key_id) {
  auto envelope = parse_e2ee_envelope(text);
  if (!envelope) {
    fail(Kind::kInvalid,
         "messages in an end-to-end encrypted room must be e2ee.v1.<epoch>.<key_id>.<iv>.<ciphertext>",
         "e2ee_required");
  }
  if (envelope->epoch != key_epoch) {
    fail(Kind::kConflict, "the room's key_epoch is " + std::to_string(key_epoch), "key_epoch_stale");
  }
  if (key_id.empty() || envelope->key_id != key_id) {
    fail(Kind::kConflict,
         key_id.empty() ? "no room key is stored for epoch " + std::to_string(key_epoch)
                        : "epoch " + std::to_string(key_epoch) + " uses key_id " + key_id,
         "key_conflict");
  }
}

void E2eeRoomKeys::check_text(const std::string& conversation_id, const std::string& text) {
  if (!common::is_uuid(conversation_id)) return;
  auto state = repository_.conversation_state(conversation_id);
  if (state && state->e2ee) check_envelope(text, state->key_epoch, state->key_id);
}

bool E2eeRoomKeys::is_e2ee_room(const std::string& conversation_id) {
  if (!common::is_uuid(conversation_id)) return false;
  auto state = repository_.conversation_state(conversation_id);
  return state && state->e2ee;
}

}  // namespace botfactory::channel
