#pragma once
// The gRPC face of E2eeRoomKeys (chat.v1.E2eeService, proto/botfactory/chat/v1/e2ee.proto):
// conversions, and E2eeError → status inside rpc::guard.

#include "botfactory/chat/v1/e2ee.grpc.pb.h"
#include "botfactory/rpc/status.hpp"

namespace botfactory::channel {

class E2eeError;
class E2eeRoomKeys;

/// The status of a refused e2ee operation: kInvalid INVALID_ARGUMENT, kNotFound NOT_FOUND,
/// kForbidden PERMISSION_DENIED, kConflict FAILED_PRECONDITION, kAlreadyExists ALREADY_EXISTS;
/// the message is "<code>: <message>" when the error has a client code (the gateway's
/// rest/e2ee_errors reads it), else the message.
rpc::StatusError e2ee_status_error(const E2eeError& error);

/// `keys` must outlive it. Visitors are PERMISSION_DENIED on every method.
class E2eeGrpc final : public chat::v1::E2eeService::Service {
 public:
  explicit E2eeGrpc(E2eeRoomKeys& keys) : keys_(keys) {}

  grpc::Status PutDevice(grpc::ServerContext*, const chat::v1::PutDeviceRequest*, chat::v1::E2eeDevice*) override;
  grpc::Status ListDevices(grpc::ServerContext*, const chat::v1::ListDevicesRequest*,
                           chat::v1::ListDevicesResponse*) override;
  grpc::Status GetRoomKeys(grpc::ServerContext*, const chat::v1::GetRoomKeysRequest*, chat::v1::RoomKeys*) override;
  grpc::Status PutRoomKeys(grpc::ServerContext*, const chat::v1::PutRoomKeysRequest*,
                           chat::v1::PutRoomKeysResponse*) override;

 private:
  E2eeRoomKeys& keys_;
};

}  // namespace botfactory::channel
