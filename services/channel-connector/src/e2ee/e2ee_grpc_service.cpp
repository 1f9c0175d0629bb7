#include "e2ee/e2ee_grpc_service.hpp"

#include "botfactory/rpc/timestamp.hpp"
#include "e2ee/e2ee_room_keys.hpp"

namespace botfactory::channel {
namespace {

/// rpc::guard with E2eeError translated; a visitor actor is PERMISSION_DENIED first.
template <typename Body>
grpc::Status e2ee_guard(const char* name, const chat::v1::RoomActor& actor, Body&& body) {
  return rpc::guard(name, [&] {
    if (actor.kind() != "user") {
      throw rpc::StatusError(grpc::StatusCode::PERMISSION_DENIED, "end-to-end encryption is for users only");
    }
    try {
      body();
    } catch (const E2eeError& e) {
      throw e2ee_status_error(e);
    }
  });
}

void fill_device(const E2eeDeviceRow& row, chat::v1::E2eeDevice& out) {
  out.set_user_id(row.user_id);
  out.set_device_id(row.device_id);
  out.set_public_key(row.public_key);
  if (row.created_at_us != 0) *out.mutable_created_at() = rpc::timestamp_from_micros(row.created_at_us);
}

}  // namespace

rpc::StatusError e2ee_status_error(const E2eeError& error) {
  grpc::StatusCode code = grpc::StatusCode::INVALID_ARGUMENT;
  switch (error.kind()) {
    case E2eeError::Kind::kInvalid: code = grpc::StatusCode::INVALID_ARGUMENT; break;
    case E2eeError::Kind::kNotFound: code = grpc::StatusCode::NOT_FOUND; break;
    case E2eeError::Kind::kForbidden: code = grpc::StatusCode::PERMISSION_DENIED; break;
    case E2eeError::Kind::kConflict: code = grpc::StatusCode::FAILED_PRECONDITION; break;
    case E2eeError::Kind::kAlreadyExists: code = grpc::StatusCode::ALREADY_EXISTS; break;
  }
  return rpc::StatusError(code, error.code().empty() ? std::string(error.what())
                                                      : error.code() + ": " + error.what());
}

grpc::Status E2eeGrpc::PutDevice(grpc::ServerContext*, const chat::v1::PutDeviceRequest* r,
                                 chat::v1::E2eeDevice* out) {
  return e2ee_guard("PutDevice", r->actor(), [&] {
    fill_device(keys_.put_device(r->actor().tenant_id(), r->actor().id(), r->device_id(), r->public_key()), *out);
  });
}

grpc::Status E2eeGrpc::ListDevices(grpc::ServerContext*, const chat::v1::ListDevicesRequest* r,
                                   chat::v1::ListDevicesResponse* out) {
  return e2ee_guard("ListDevices", r->actor(), [&] {
    for (const auto& d : keys_.devices(r->actor().tenant_id(), r->actor().id())) fill_device(d, *out->add_devices());
  });
}

grpc::Status E2eeGrpc::GetRoomKeys(grpc::ServerContext*, const chat::v1::GetRoomKeysRequest* r,
                                   chat::v1::RoomKeys* out) {
  return e2ee_guard("GetRoomKeys", r->actor(), [&] {
    auto view = keys_.room_keys(r->actor().tenant_id(), r->room_id(), r->actor().id(), r->device_id());
    out->set_key_epoch(view.key_epoch);
    out->set_key_id(view.key_id);
    for (const auto& d : view.devices) {
      auto* device = out->add_devices();
      device->set_user_id(d.device.user_id);
      device->set_device_id(d.device.device_id);
      device->set_public_key(d.device.public_key);
      device->set_has_key(d.has_key);
    }
    for (const auto& w : view.my_keys) {
      auto* key = out->add_my_keys();
      key->set_epoch(w.epoch);
      key->set_key_id(w.key_id);
      key->set_wrapped_key(w.wrapped_key);
      fill_device(w.wrapped_by, *key->mutable_wrapped_by());
    }
  });
}

grpc::Status E2eeGrpc::PutRoomKeys(grpc::ServerContext*, const chat::v1::PutRoomKeysRequest* r,
                                   chat::v1::PutRoomKeysResponse* out) {
  return e2ee_guard("PutRoomKeys", r->actor(), [&] {
    if (static_cast<std::size_t>(r->keys_size()) > E2eeLimits::kMaxWrapsPerPut) {
      throw rpc::StatusError(grpc::StatusCode::INVALID_ARGUMENT, "keys must hold 1..1000 wraps");
    }
    std::vector<E2eeWrapInput> wraps;
    wraps.reserve(static_cast<std::size_t>(r->keys_size()));
    for (const auto& k : r->keys()) wraps.push_back(E2eeWrapInput{k.user_id(), k.device_id(), k.wrapped_key()});
    auto result = keys_.put_keys(r->actor().tenant_id(), r->room_id(), r->actor().id(), r->epoch(),
                                 r->key_id(), r->device_id(), wraps);
    out->set_key_epoch(result.key_epoch);
    out->set_key_id(result.key_id);
    out->set_stored(result.stored);
  });
}

}  // namespace botfactory::channel
