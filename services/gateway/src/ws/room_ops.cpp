#include "ws/room_ops.hpp"

#include <set>

#include "botfactory/chatwire/conversation_event.hpp"
#include "botfactory/chatwire/message_event.hpp"
#include "botfactory/redis/blocking_client.hpp"
#include "botfactory/redis/presence_heartbeat.hpp"
#include "botfactory/redis/presence_keys.hpp"
#include "botfactory/redis/presence_reader.hpp"
#include "botfactory/redis/publisher.hpp"
#include "http/api_error.hpp"
#include "rest/e2ee_errors.hpp"
#include "rest/upstreams.hpp"

namespace botfactory::gateway {
namespace {

constexpr char kSep = '|';  // presence member: <replica>|<kind>|<id>|<name>

OpError op_error(const grpc::Status& status) {
  if (auto e2ee = e2ee_error_code(status)) return OpError{e2ee->first, e2ee->second};  // e2ee rooms
  auto error = api_error_from_grpc(status);
  return OpError{error.code(), error.what()};
}

OpError rooms_off() { return OpError{"unavailable", "rooms are not available"}; }

}  // namespace

std::string encode_room_typing(std::string_view room_id, bool typing, std::string_view kind,
                               std::string_view sender_id, std::string_view sender_name,
                               std::int64_t expires_in_ms) {
  std::string frame = chatwire::encode_typing(room_id, typing, kind, sender_id, sender_name);
  // chatwire's frame ends with "}}" (sender, then the frame): add the expiry as the last key.
  frame.pop_back();
  frame += ",\"expires_in_ms\":" + std::to_string(expires_in_ms) + "}";
  return frame;
}

RoomOps::RoomOps(const Upstreams& upstreams, redis::Publisher* publisher,
                 redis::PresenceHeartbeat& heartbeat, redis::BlockingClient* reader,
                 RoomPresenceSettings settings)
    : upstreams_(upstreams),
      publisher_(publisher),
      heartbeat_(heartbeat),
      reader_(reader),
      settings_(std::move(settings)) {}

chat::v1::RoomActor RoomOps::actor(const jwt::Claims& claims, const RoomPresenceMember& me) const {
  chat::v1::RoomActor a;
  a.set_tenant_id(claims.tenant_id);
  a.set_kind(me.kind);
  a.set_id(me.id);
  a.set_name(me.name);
  return a;
}

std::optional<OpError> RoomOps::member(const jwt::Claims& claims, const std::string& cached_name,
                                       RoomPresenceMember& out, std::string* looked_up) const {
  out.id = claims.subject;
  if (claims.kind == jwt::TokenKind::kVisitor) {
    out.kind = "visitor";
    out.name = claims.name;
    return std::nullopt;
  }
  out.kind = "user";
  out.name = cached_name;
  if (!out.name.empty()) return std::nullopt;
  auth::v1::GetUserRequest request;
  request.set_user_id(claims.subject);
  auth::v1::User user;
  auto status = upstreams_.call(*upstreams_.auth, &AuthRpc::GetUser, request, user);
  if (!status.ok()) return op_error(status);
  out.name = user.username();
  if (looked_up) *looked_up = out.name;
  return std::nullopt;
}

std::optional<OpError> RoomOps::authorize_join(const jwt::Claims& claims,
                                               const RoomPresenceMember& me,
                                               const std::string& room_id,
                                               std::int64_t* last_seq) const {
  if (!upstreams_.rooms) return rooms_off();
  chat::v1::GetRoomRequest request;
  *request.mutable_actor() = actor(claims, me);
  request.set_room_id(room_id);
  chat::v1::Room room;
  auto status = upstreams_.call(*upstreams_.rooms, &RoomsRpc::GetRoom, request, room);
  if (!status.ok()) return op_error(status);
  if (room.my_role().empty()) return OpError{"forbidden", "join the room first (POST /api/v1/rooms/{id}/join)"};
  if (last_seq) *last_seq = room.last_seq();
  return std::nullopt;
}

std::optional<OpError> RoomOps::fetch_messages(const jwt::Claims& claims,
                                               const RoomPresenceMember& me,
                                               const std::string& room_id, std::int64_t since_seq,
                                               int limit, std::vector<SeqFrame>& out,
                                               bool* more) const {
  if (!upstreams_.rooms) return rooms_off();
  chat::v1::ListRoomMessagesRequest request;
  *request.mutable_actor() = actor(claims, me);
  request.set_room_id(room_id);
  request.set_since_seq(since_seq);
  request.set_limit(limit);
  chat::v1::ListMessagesResponse response;
  auto status = upstreams_.call(*upstreams_.rooms, &RoomsRpc::ListRoomMessages, request, response);
  if (!status.ok()) return op_error(status);
  for (const auto& m : response.messages()) {
    out.push_back(SeqFrame{m.seq(), std::make_shared<const std::string>(chatwire::encode_message_new(m))});
  }
  if (more) *more = response.messages_size() >= limit;
  return std::nullopt;
}

std::optional<OpError> RoomOps::history(const jwt::Claims& claims, const RoomPresenceMember& me,
                                        const std::string& room_id, std::int64_t before_seq,
                                        int limit, std::string& frame) const {
  if (!upstreams_.rooms) return rooms_off();
  chat::v1::ListRoomMessagesRequest request;
  *request.mutable_actor() = actor(claims, me);
  request.set_room_id(room_id);
  // before_seq 0 = from the newest: INT64_MAX is above every seq.
  request.set_before_seq(before_seq > 0 ? before_seq : INT64_MAX);
  request.set_limit(limit);
  chat::v1::ListMessagesResponse response;
  auto status = upstreams_.call(*upstreams_.rooms, &RoomsRpc::ListRoomMessages, request, response);
  if (!status.ok()) return op_error(status);
  std::vector<std::string> frames;
  frames.reserve(static_cast<std::size_t>(response.messages_size()));
  for (const auto& m : response.messages()) frames.push_back(chatwire::encode_message_new(m));
  bool more = response.messages_size() >= limit && response.messages(0).seq() > 1;
  frame = encode_room_history(room_id, before_seq, frames, more);
  return std::nullopt;
}

std::optional<OpError> RoomOps::post_message(const jwt::Claims& claims, const RoomPresenceMember& me,
                                             const std::string& room_id,
                                             const std::string& client_id, const std::string& text,
                                             PostResult& result) const {
  if (!upstreams_.rooms) return rooms_off();
  chat::v1::PostRoomMessageRequest request;
  *request.mutable_actor() = actor(claims, me);
  request.set_room_id(room_id);
  request.set_client_id(client_id);
  request.set_text(text);
  chat::v1::PostMessageResponse response;
  auto status = upstreams_.call(*upstreams_.rooms, &RoomsRpc::PostRoomMessage, request, response);
  if (!status.ok()) return op_error(status);
  result.seq = response.message().seq();
  result.message_id = response.message().id();
  return std::nullopt;
}

void RoomOps::publish_typing(const RoomPresenceMember& me, const std::string& room_id,
                             bool typing) const {
  if (!publisher_) return;
  const char* kind = me.kind == "visitor" ? "visitor" : "operator";  // as in message.new senders
  publisher_->publish(chatwire::conversation_channel(room_id),
                      encode_room_typing(room_id, typing, kind, me.id, me.name,
                                         settings_.typing_ttl.count()));
}

std::string RoomOps::presence_member(const RoomPresenceMember& me) const {
  return settings_.replica + kSep + me.kind + kSep + me.id + kSep + me.name;
}

void RoomOps::set_present(const std::string& room_id, const RoomPresenceMember& me,
                          bool present) const {
  auto key = redis::room_presence_key(settings_.key_prefix, room_id);
  if (present) {
    heartbeat_.hold(key, presence_member(me));
  } else {
    heartbeat_.release(key, presence_member(me));
  }
}

void RoomOps::announce(const std::string& room_id, const RoomPresenceMember& me,
                       bool present) const {
  if (publisher_) {
    publisher_->publish(chatwire::conversation_channel(room_id),
                        encode_presence_event(room_id, present, me));
  }
}

std::optional<OpError> RoomOps::online(const std::string& room_id,
                                       std::vector<RoomPresenceMember>& out) const {
  if (!reader_) return OpError{"unavailable", "presence is not available"};
  redis::PresenceReader reader(*reader_);
  auto members = reader.members(redis::room_presence_key(settings_.key_prefix, room_id));
  if (!members) return OpError{"unavailable", "presence is not available (Redis)"};
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& entry : *members) {
    auto a = entry.find(kSep);
    if (a == std::string::npos) continue;
    auto b = entry.find(kSep, a + 1);
    if (b == std::string::npos) continue;
    auto c = entry.find(kSep, b + 1);
    if (c == std::string::npos) continue;
    RoomPresenceMember m{entry.substr(a + 1, b - a - 1), entry.substr(b + 1, c - b - 1),
                         entry.substr(c + 1)};
    if (seen.emplace(m.kind, m.id).second) out.push_back(std::move(m));
  }
  return std::nullopt;
}

}  // namespace botfactory::gateway
