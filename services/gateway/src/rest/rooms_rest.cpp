#include "rest/rooms_rest.hpp"

#include <boost/json.hpp>

#include "botfactory/common/request_id.hpp"
#include "botfactory/rpc/timestamp.hpp"
#include "http/api_error.hpp"
#include "rest/rest_json.hpp"
#include "rest/upstreams.hpp"
#include "rest/json_response.hpp"
#include "rest/query_params.hpp"

namespace botfactory::gateway {
namespace {

namespace json = boost::json;

template <typename Request, typename Response>
Response call(const Upstreams& upstreams,
              UnaryMethod<RoomsRpc, Request, Response> method, const Request& request) {
  if (!upstreams.rooms) throw ApiError(503, "unavailable", "rooms are not available");
  Response response;
  check(upstreams.call(*upstreams.rooms, method, request, response));
  return response;
}

ApiError validation(const std::string& message) { return ApiError(400, "validation_failed", message); }

std::int64_t int_field(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return 0;
  if (!it->value().is_int64()) throw validation(std::string(key) + " must be an integer");
  return it->value().as_int64();
}

/// The caller as a room actor; a user's name is its username (auth GetUser).
chat::v1::RoomActor actor_of(const Upstreams& upstreams, const jwt::Claims& claims) {
  chat::v1::RoomActor actor;
  actor.set_tenant_id(claims.tenant_id);
  actor.set_id(claims.subject);
  if (claims.kind == jwt::TokenKind::kVisitor) {
    actor.set_kind("visitor");
    actor.set_name(claims.name);
    return actor;
  }
  actor.set_kind("user");
  auth::v1::GetUserRequest request;
  request.set_user_id(claims.subject);
  auth::v1::User user;
  check(upstreams.call(*upstreams.auth, &AuthRpc::GetUser, request, user));
  actor.set_name(user.username());
  return actor;
}

json::object room_json(const chat::v1::Room& r) {
  return json::object{{"id", r.id()},
                      {"name", r.name()},
                      {"topic", r.topic()},
                      {"visibility", r.visibility()},
                      {"bot_id", r.bot_id().empty() ? json::value(nullptr) : json::value(r.bot_id())},
                      {"bot_name", r.bot_name()},
                      {"last_seq", r.last_seq()},
                      {"member_count", r.member_count()},
                      {"my_role", r.my_role().empty() ? json::value(nullptr) : json::value(r.my_role())},
                      {"created_at", rpc::rfc3339(r.created_at())},
                      {"e2ee", r.e2ee()},
                      {"key_epoch", r.key_epoch()}};
}

json::object member_json(const chat::v1::RoomMember& m) {
  return json::object{{"kind", m.kind()},
                      {"id", m.id()},
                      {"name", m.name()},
                      {"role", m.role()},
                      {"joined_at", m.has_joined_at() ? json::value(rpc::rfc3339(m.joined_at())) : json::value(nullptr)}};
}

json::object room_message_json(const chat::v1::Message& m) {
  auto o = message_json(m);
  if (!m.event().empty()) o["event"] = m.event();
  return o;
}

/// PostRoomMessage of a POST /rooms/{id}/messages body {"client_id","text"}.
chat::v1::PostRoomMessageRequest post_request(const chat::v1::RoomActor& actor,
                                              const std::string& room_id,
                                              const HttpRequest& request) {
  auto body = parse_json_object(request.body);
  chat::v1::PostRoomMessageRequest r;
  *r.mutable_actor() = actor;
  r.set_room_id(room_id);
  r.set_client_id(string_member(body, "client_id"));
  r.set_text(string_member(body, "text"));
  return r;
}

}  // namespace

void post_room_message_async(const Upstreams& upstreams, const jwt::Claims& claims,
                             const std::string& room_id, const HttpRequest& request,
                             const std::function<void(HttpResponse)>& reply,
                             const IngestCallGate& gate) {
  if (!upstreams.rooms) throw ApiError(503, "unavailable", "rooms are not available");
  using PostCall = AsyncUnary<chat::v1::PostRoomMessageRequest, chat::v1::PostMessageResponse>;
  auto post = std::make_shared<PostCall>();
  post->request = post_request(actor_of(upstreams, claims), room_id, request);
  auto send = [&upstreams, post, reply, request_id = request.request_id](IngestCallPlace place) {
    common::ScopedRequestId scope(request_id);  // the call's metadata, on the thread that starts it
    upstreams.async_call(*upstreams.rooms, &RoomsRpc::async_interface::PostRoomMessage, post,
                         [reply, place](const grpc::Status& status, PostCall& c) mutable {
                           place.reset();  // the call's place goes to the next waiting message
                           if (!status.ok()) return reply(error_response(api_error_from_grpc(status)));
                           reply(json_response(c.response.duplicate() ? 200 : 201,
                                               room_message_json(c.response.message())));
                         });
  };
  if (gate) return gate(std::move(send));
  send(nullptr);
}

HttpResponse rooms_rest(const Upstreams& upstreams, const jwt::Claims& claims, Endpoint endpoint,
                        const std::vector<std::string>& params, const HttpRequest& request) {
  auto actor = actor_of(upstreams, claims);
  const std::string room_id = params.empty() ? std::string() : params[0];
  switch (endpoint) {
    case Endpoint::kCreateRoom: {
      auto body = parse_json_object(request.body);
      chat::v1::CreateRoomRequest r;
      *r.mutable_actor() = actor;
      r.set_name(string_member(body, "name"));
      r.set_topic(string_member(body, "topic"));
      r.set_visibility(string_member(body, "visibility"));
      if (auto e2ee = body.find("e2ee"); e2ee != body.end() && !e2ee->value().is_null()) {  // docs/e2ee.md
        if (!e2ee->value().is_bool()) throw validation("e2ee must be a boolean");
        r.set_e2ee(e2ee->value().as_bool());
      }
      return json_response(201, room_json(call(upstreams, &RoomsRpc::CreateRoom, r)));
    }
    case Endpoint::kListRooms: {
      chat::v1::ListRoomsRequest r;
      *r.mutable_actor() = actor;
      auto scope = request.query.find("scope");
      if (scope != request.query.end()) {
        if (scope->second != "mine" && scope->second != "public") throw validation("scope must be mine or public");
        r.set_scope(scope->second);
      }
      r.set_limit(static_cast<int>(query_int(request, "limit", 0, 1, 200)));
      json::array rooms;
      auto listed = call(upstreams, &RoomsRpc::ListRooms, r);
      for (const auto& room : listed.rooms()) rooms.push_back(room_json(room));
      return json_response(200, json::object{{"rooms", std::move(rooms)}});
    }
    case Endpoint::kGetRoom: {
      chat::v1::GetRoomRequest r;
      *r.mutable_actor() = actor;
      r.set_room_id(room_id);
      return json_response(200, room_json(call(upstreams, &RoomsRpc::GetRoom, r)));
    }
    case Endpoint::kJoinRoom: {
      auto body = parse_json_object(request.body, /*allow_empty=*/true);
      chat::v1::JoinRoomRequest r;
      *r.mutable_actor() = actor;
      r.set_room_id(room_id);
      r.set_invite_token(string_member(body, "invite_token"));
      return json_response(200, room_json(call(upstreams, &RoomsRpc::JoinRoom, r)));
    }
    case Endpoint::kLeaveRoom: {
      chat::v1::LeaveRoomRequest r;
      *r.mutable_actor() = actor;
      r.set_room_id(room_id);
      return json_response(200, json::object{{"seq", call(upstreams, &RoomsRpc::LeaveRoom, r).seq()}});
    }
    case Endpoint::kListRoomMembers: {
      chat::v1::ListMembersRequest r;
      *r.mutable_actor() = actor;
      r.set_room_id(room_id);
      json::array members;
      auto listed = call(upstreams, &RoomsRpc::ListMembers, r);
      for (const auto& m : listed.members()) members.push_back(member_json(m));
      return json_response(200, json::object{{"members", std::move(members)}});
    }
    case Endpoint::kRemoveRoomMember: {
      chat::v1::RemoveMemberRequest r;
      *r.mutable_actor() = actor;
      r.set_room_id(room_id);
      r.set_member_kind(params.at(1));
      r.set_member_id(params.at(2));
      return json_response(200, json::object{{"seq", call(upstreams, &RoomsRpc::RemoveMember, r).seq()}});
    }
    case Endpoint::kSetRoomMemberRole: {
      auto body = parse_json_object(request.body);
      chat::v1::SetMemberRoleRequest r;
      *r.mutable_actor() = actor;
      r.set_room_id(room_id);
      r.set_member_kind(params.at(1));
      r.set_member_id(params.at(2));
      r.set_role(string_member(body, "role"));
      return json_response(200, member_json(call(upstreams, &RoomsRpc::SetMemberRole, r)));
    }
    case Endpoint::kTransferRoomOwnership: {
      auto body = parse_json_object(request.body);
      chat::v1::TransferOwnershipRequest r;
      *r.mutable_actor() = actor;
      r.set_room_id(room_id);
      r.set_member_kind(string_member(body, "member_kind").empty() ? "user" : string_member(body, "member_kind"));
      r.set_member_id(string_member(body, "member_id"));
      return json_response(200, room_json(call(upstreams, &RoomsRpc::TransferOwnership, r)));
    }
    case Endpoint::kCreateRoomInvite: {
      auto body = parse_json_object(request.body, /*allow_empty=*/true);
      chat::v1::CreateInviteRequest r;
      *r.mutable_actor() = actor;
      r.set_room_id(room_id);
      auto ttl = int_field(body, "ttl_seconds");
      if (ttl < 0 || ttl > INT32_MAX) throw validation("ttl_seconds must be 60..2592000");
      r.set_ttl_seconds(static_cast<int>(ttl));
      auto invite = call(upstreams, &RoomsRpc::CreateInvite, r);
      return json_response(201, json::object{{"token", invite.token()},
                                             {"invite_id", invite.invite_id()},
                                             {"expires_at", rpc::rfc3339(invite.expires_at())}});
    }
    case Endpoint::kRevokeRoomInvite: {
      chat::v1::RevokeInviteRequest r;
      *r.mutable_actor() = actor;
      r.set_room_id(room_id);
      r.set_invite_id(params.at(1));
      call(upstreams, &RoomsRpc::RevokeInvite, r);
      HttpResponse response;
      response.status = 204;
      response.content_type.clear();
      return response;
    }
    case Endpoint::kListRoomMessages: {
      chat::v1::ListRoomMessagesRequest r;
      *r.mutable_actor() = actor;
      r.set_room_id(room_id);
      r.set_since_seq(query_int(request, "since_seq", 0, 0, INT64_MAX));
      r.set_before_seq(query_int(request, "before_seq", 0, 0, INT64_MAX));
      r.set_limit(static_cast<int>(query_int(request, "limit", 0, 1, 500)));
      json::array messages;
      auto listed = call(upstreams, &RoomsRpc::ListRoomMessages, r);
      for (const auto& m : listed.messages()) {
        messages.push_back(room_message_json(m));
      }
      return json_response(200, json::object{{"messages", std::move(messages)}});
    }
    case Endpoint::kPostRoomMessage: {
      auto posted = call(upstreams, &RoomsRpc::PostRoomMessage, post_request(actor, room_id, request));
      return json_response(posted.duplicate() ? 200 : 201, room_message_json(posted.message()));
    }
    case Endpoint::kSetRoomBot: {
      auto body = parse_json_object(request.body);
      chat::v1::SetRoomBotRequest r;
      *r.mutable_actor() = actor;
      r.set_room_id(room_id);
      r.set_bot_id(string_member(body, "bot_id"));
      return json_response(200, room_json(call(upstreams, &RoomsRpc::SetRoomBot, r)));
    }
    default: break;
  }
  throw ApiError(404, "not_found", "no such endpoint");
}

}  // namespace botfactory::gateway
