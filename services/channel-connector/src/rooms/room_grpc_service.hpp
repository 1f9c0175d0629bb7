#pragma once
// The gRPC face of RoomService (chat.v1.RoomService, proto/botfactory/chat/v1/rooms.proto):
// conversions, and RoomError → status (INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED,
// FAILED_PRECONDITION) inside rpc::guard.

#include "botfactory/chat/v1/rooms.grpc.pb.h"

namespace botfactory::channel {

class RoomService;

/// `rooms` must outlive it.
class RoomGrpc final : public chat::v1::RoomService::Service {
 public:
  explicit RoomGrpc(RoomService& rooms) : rooms_(rooms) {}

  grpc::Status CreateRoom(grpc::ServerContext*, const chat::v1::CreateRoomRequest*, chat::v1::Room*) override;
  grpc::Status ListRooms(grpc::ServerContext*, const chat::v1::ListRoomsRequest*,
                         chat::v1::ListRoomsResponse*) override;
  grpc::Status GetRoom(grpc::ServerContext*, const chat::v1::GetRoomRequest*, chat::v1::Room*) override;
  grpc::Status JoinRoom(grpc::ServerContext*, const chat::v1::JoinRoomRequest*, chat::v1::Room*) override;
  grpc::Status LeaveRoom(grpc::ServerContext*, const chat::v1::LeaveRoomRequest*,
                         chat::v1::LeaveRoomResponse*) override;
  grpc::Status RemoveMember(grpc::ServerContext*, const chat::v1::RemoveMemberRequest*,
                            chat::v1::LeaveRoomResponse*) override;
  grpc::Status SetMemberRole(grpc::ServerContext*, const chat::v1::SetMemberRoleRequest*,
                             chat::v1::RoomMember*) override;
  grpc::Status TransferOwnership(grpc::ServerContext*, const chat::v1::TransferOwnershipRequest*,
                                 chat::v1::Room*) override;
  grpc::Status CreateInvite(grpc::ServerContext*, const chat::v1::CreateInviteRequest*,
                            chat::v1::RoomInvite*) override;
  grpc::Status RevokeInvite(grpc::ServerContext*, const chat::v1::RevokeInviteRequest*,
                            chat::v1::RevokeInviteResponse*) override;
  grpc::Status ListMembers(grpc::ServerContext*, const chat::v1::ListMembersRequest*,
                           chat::v1::ListMembersResponse*) override;
  grpc::Status PostRoomMessage(grpc::ServerContext*, const chat::v1::PostRoomMessageRequest*,
                               chat::v1::PostMessageResponse*) override;
  grpc::Status ListRoomMessages(grpc::ServerContext*, const chat::v1::ListRoomMessagesRequest*,
                                chat::v1::ListMessagesResponse*) override;
  grpc::Status SetRoomBot(grpc::ServerContext*, const chat::v1::SetRoomBotRequest*, chat::v1::Room*) override;

 private:
  RoomService& rooms_;
};

}  // namespace botfactory::channel
