#include "rooms/room_grpc_service.hpp"

#include "botfactory/rpc/status.hpp"
#include "e2ee/e2ee_grpc_service.hpp"
#include "e2ee/e2ee_room_keys.hpp"
#include "rooms/room_service.hpp"

namespace botfactory::channel {
namespace {

Actor actor_of(const chat::v1::RoomActor& a) { return Actor{a.tenant_id(), a.kind(), a.id(), a.name()}; }

grpc::StatusCode status_code(RoomError::Code code) {
  switch (code) {
    case RoomError::Code::kInvalid: return grpc::StatusCode::INVALID_ARGUMENT;
    case RoomError::Code::kNotFound: return grpc::StatusCode::NOT_FOUND;
    case RoomError::Code::kForbidden: return grpc::StatusCode::PERMISSION_DENIED;
    case RoomError::Code::kConflict: return grpc::StatusCode::FAILED_PRECONDITION;
  }
  return grpc::StatusCode::INTERNAL;
}

/// rpc::guard with RoomError translated to its status.
template <typename Body>
grpc::Status room_guard(const char* name, Body&& body) {
  return rpc::guard(name, [&] {
    try {
      body();
    } catch (const RoomError& e) {
      throw rpc::StatusError(status_code(e.code()), e.what());
    } catch (const E2eeError& e) {  // posts in e2ee rooms
      throw e2ee_status_error(e);
    }
  });
}

}  // namespace

grpc::Status RoomGrpc::CreateRoom(grpc::ServerContext*, const chat::v1::CreateRoomRequest* r,
                                  chat::v1::Room* out) {
  return room_guard("CreateRoom", [&] {
    *out = rooms_.create(actor_of(r->actor()), r->name(), r->topic(), r->visibility(), r->e2ee());
  });
}

grpc::Status RoomGrpc::ListRooms(grpc::ServerContext*, const chat::v1::ListRoomsRequest* r,
                                 chat::v1::ListRoomsResponse* out) {
  return room_guard("ListRooms", [&] {
    for (auto& room : rooms_.list(actor_of(r->actor()), r->scope(), r->limit())) {
      *out->add_rooms() = std::move(room);
    }
  });
}

grpc::Status RoomGrpc::GetRoom(grpc::ServerContext*, const chat::v1::GetRoomRequest* r, chat::v1::Room* out) {
  return room_guard("GetRoom", [&] { *out = rooms_.get(actor_of(r->actor()), r->room_id()); });
}

grpc::Status RoomGrpc::JoinRoom(grpc::ServerContext*, const chat::v1::JoinRoomRequest* r, chat::v1::Room* out) {
  return room_guard("JoinRoom", [&] {
    *out = rooms_.join(actor_of(r->actor()), r->room_id(), r->invite_token());
  });
}

grpc::Status RoomGrpc::LeaveRoom(grpc::ServerContext*, const chat::v1::LeaveRoomRequest* r,
                                 chat::v1::LeaveRoomResponse* out) {
  return room_guard("LeaveRoom", [&] { out->set_seq(rooms_.leave(actor_of(r->actor()), r->room_id())); });
}

grpc::Status RoomGrpc::RemoveMember(grpc::ServerContext*, const chat::v1::RemoveMemberRequest* r,
                                    chat::v1::LeaveRoomResponse* out) {
  return room_guard("RemoveMember", [&] {
    out->set_seq(rooms_.remove_member(actor_of(r->actor()), r->room_id(), r->member_kind(), r->member_id()));
  });
}

grpc::Status RoomGrpc::SetMemberRole(grpc::ServerContext*, const chat::v1::SetMemberRoleRequest* r,
                                     chat::v1::RoomMember* out) {
  return room_guard("SetMemberRole", [&] {
    *out = rooms_.set_role(actor_of(r->actor()), r->room_id(), r->member_kind(), r->member_id(), r->role());
  });
}

grpc::Status RoomGrpc::TransferOwnership(grpc::ServerContext*, const chat::v1::TransferOwnershipRequest* r,
                                         chat::v1::Room* out) {
  return room_guard("TransferOwnership", [&] {
    *out = rooms_.transfer_ownership(actor_of(r->actor()), r->room_id(), r->member_kind(), r->member_id());
  });
}

grpc::Status RoomGrpc::CreateInvite(grpc::ServerContext*, const chat::v1::CreateInviteRequest* r,
                                    chat::v1::RoomInvite* out) {
  return room_guard("CreateInvite", [&] {
    *out = rooms_.create_invite(actor_of(r->actor()), r->room_id(), r->ttl_seconds());
  });
}

grpc::Status RoomGrpc::RevokeInvite(grpc::ServerContext*, const chat::v1::RevokeInviteRequest* r,
                                    chat::v1::RevokeInviteResponse*) {
  return room_guard("RevokeInvite", [&] { rooms_.revoke_invite(actor_of(r->actor()), r->room_id(), r->invite_id()); });
}

grpc::Status RoomGrpc::ListMembers(grpc::ServerContext*, const chat::v1::ListMembersRequest* r,
                                   chat::v1::ListMembersResponse* out) {
  return room_guard("ListMembers", [&] {
    for (auto& m : rooms_.members(actor_of(r->actor()), r->room_id())) *out->add_members() = std::move(m);
  });
}

grpc::Status RoomGrpc::PostRoomMessage(grpc::ServerContext*, const chat::v1::PostRoomMessageRequest* r,
                                       chat::v1::PostMessageResponse* out) {
  return room_guard("PostRoomMessage", [&] {
    *out = rooms_.post(actor_of(r->actor()), r->room_id(), r->client_id(), r->text());
  });
}

grpc::Status RoomGrpc::ListRoomMessages(grpc::ServerContext*, const chat::v1::ListRoomMessagesRequest* r,
                                        chat::v1::ListMessagesResponse* out) {
  return room_guard("ListRoomMessages", [&] {
    for (auto& m : rooms_.history(actor_of(r->actor()), r->room_id(), r->since_seq(), r->before_seq(), r->limit())) {
      *out->add_messages() = std::move(m);
    }
  });
}

grpc::Status RoomGrpc::SetRoomBot(grpc::ServerContext*, const chat::v1::SetRoomBotRequest* r, chat::v1::Room* out) {
  return room_guard("SetRoomBot", [&] { *out = rooms_.set_bot(actor_of(r->actor()), r->room_id(), r->bot_id()); });
}

}  // namespace botfactory::channel
