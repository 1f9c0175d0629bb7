#include "rooms/room_service.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>

#include "botfactory/common/ids.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/rpc/timestamp.hpp"
#include "botfactory/rpc/status.hpp"
#include "chat/ai_command.hpp"
#include "chat/chat_service.hpp"
#include "e2ee/e2ee_envelope.hpp"
#include "e2ee/e2ee_room_keys.hpp"
#include "pipeline/pipeline_ports.hpp"

namespace botfactory::channel {
namespace {

using Code = RoomError::Code;

constexpr std::size_t kMaxActorId = 128;
constexpr std::size_t kMaxActorName = 100;
constexpr std::size_t kInviteTokenLength = 32;

[[noreturn]] void fail(Code code, const std::string& message) { throw RoomError(code, message); }

void check_text(const char* field, const std::string& value, std::size_t max, bool required) {
  if (!common::is_valid_utf8(value)) fail(Code::kInvalid, std::string(field) + " must be UTF-8");
  if (common::find_control_char(value) != std::string::npos) {
    fail(Code::kInvalid, std::string(field) + " must not contain control characters");
  }
  auto length = common::utf8_length(value);
  if (required && common::trim(value).empty()) fail(Code::kInvalid, std::string(field) + " is required");
  if (length > max) {
    fail(Code::kInvalid, std::string(field) + " is longer than " + std::to_string(max) + " characters");
  }
}

void check_actor(const Actor& actor) {
  if (actor.tenant_id.empty() || !common::is_uuid(actor.tenant_id)) {
    fail(Code::kInvalid, "tenant_id must be a UUID");
  }
  if (actor.kind != "user" && actor.kind != "visitor") fail(Code::kInvalid, "actor kind must be user or visitor");
  check_text("actor id", actor.id, kMaxActorId, true);
  check_text("actor name", actor.name, kMaxActorName, false);
}

void check_room_id(const std::string& room_id) {
  if (room_id.empty()) fail(Code::kInvalid, "room_id is required");
  if (!common::is_uuid(room_id)) fail(Code::kNotFound, "room not found");
}

MemberRef member_of(const Actor& actor) { return MemberRef{actor.kind, actor.id, actor.name}; }

bool is_admin(const std::string& role) { return role == "owner" || role == "admin"; }

int clamp(int requested, int fallback, int maximum) {
  if (requested <= 0) return fallback;
  return std::min(requested, maximum);
}

bool word_end(const std::string& text, std::size_t pos) {
  if (pos >= text.size()) return true;
  unsigned char c = static_cast<unsigned char>(text[pos]);
  return c < 0x80 && !std::isalnum(c) && c != '_' && c != '-';
}

}  // namespace

RoomService::RoomService(RoomRepository& repository, ChatService& chat, BotDirectory& bots)
    : repository_(repository), chat_(chat), bots_(bots) {}

void RoomService::publish(const std::vector<chat::v1::Message>& events) {
  for (const auto& event : events) chat_.publish_committed(event);
}

chat::v1::Room RoomService::visible_room(const Actor& actor, const std::string& room_id) {
  check_actor(actor);
  check_room_id(room_id);
  auto room = repository_.get(actor.tenant_id, room_id, member_of(actor));
  if (!room || (room->my_role().empty() && room->visibility() != "public")) {
    fail(Code::kNotFound, "room not found");
  }
  return std::move(*room);
}

chat::v1::Room RoomService::member_room(const Actor& actor, const std::string& room_id) {
  auto room = visible_room(actor, room_id);
  if (room.my_role().empty()) fail(Code::kForbidden, "only members of the room may do this; join it first");
  return room;
}

chat::v1::Room RoomService::create(const Actor& actor, const std::string& name,
                                   const std::string& topic, const std::string& visibility,
                                   bool e2ee) {
  check_actor(actor);
  if (actor.kind != "user") fail(Code::kForbidden, "only users of the tenant create rooms");
  check_text("name", name, RoomLimits::kMaxName, true);
  check_text("topic", topic, RoomLimits::kMaxTopic, false);
  std::string v = visibility.empty() ? "public" : visibility;
  if (v != "public" && v != "private") fail(Code::kInvalid, "visibility must be public or private");
  if (e2ee && (v != "private" || !e2ee_)) fail(Code::kInvalid, "e2ee rooms must be private");
  auto created = repository_.create(actor.tenant_id, std::string(common::trim(name)),
                                    std::string(common::trim(topic)), v, member_of(actor), e2ee);
  {
    std::lock_guard lock(chat_.conversation_lock(created.first.id()));
    publish({created.second});
  }
  return std::move(created.first);
}

std::vector<chat::v1::Room> RoomService::list(const Actor& actor, const std::string& scope, int limit) {
  check_actor(actor);
  int n = clamp(limit, RoomLimits::kDefaultPage, RoomLimits::kMaxRoomsPage);
  if (scope.empty() || scope == "mine") return repository_.list_mine(actor.tenant_id, member_of(actor), n);
  if (scope == "public") return repository_.list_public(actor.tenant_id, member_of(actor), n);
  fail(Code::kInvalid, "scope must be mine or public");
}

chat::v1::Room RoomService::get(const Actor& actor, const std::string& room_id) {
  return visible_room(actor, room_id);
}

chat::v1::Room RoomService::join(const Actor& actor, const std::string& room_id,
                                 const std::string& invite_token) {
  check_actor(actor);
  std::string target = room_id;
  if (!invite_token.empty()) {
    if (actor.kind != "user") fail(Code::kForbidden, "visitors may join public rooms only");
    if (invite_token.size() > 128) fail(Code::kNotFound, "invite not found, expired or revoked");
    auto invite = repository_.find_invite(common::sha256_hex(invite_token));
    if (!invite || common::to_lower_ascii(invite->tenant_id) != common::to_lower_ascii(actor.tenant_id) ||
        (!room_id.empty() && room_id != invite->room_id)) {
      fail(Code::kNotFound, "invite not found, expired or revoked");
    }
    target = invite->room_id;
  } else {
    auto room = visible_room(actor, room_id);
    if (!room.my_role().empty()) return room;  // already a member
  }
  std::optional<chat::v1::Message> event;
  {
    std::lock_guard lock(chat_.conversation_lock(target));
    event = repository_.add_member(target, member_of(actor), "member");
    if (event) publish({*event});
  }
  auto room = repository_.get(actor.tenant_id, target, member_of(actor));
  if (!room) fail(Code::kNotFound, "room not found");
  return std::move(*room);
}

std::int64_t RoomService::leave(const Actor& actor, const std::string& room_id) {
  auto room = member_room(actor, room_id);
  if (room.my_role() == "owner" && room.member_count() > 1) {
    fail(Code::kConflict, "the owner transfers ownership before leaving");
  }
  std::lock_guard lock(chat_.conversation_lock(room_id));
  auto event = repository_.remove_member(room_id, actor.kind, actor.id, "member.left");
  if (!event) fail(Code::kForbidden, "not a member of the room");
  publish({*event});
  return event->seq();
}

std::int64_t RoomService::remove_member(const Actor& actor, const std::string& room_id,
                                        const std::string& member_kind,
                                        const std::string& member_id) {
  auto room = member_room(actor, room_id);
  if (!is_admin(room.my_role())) fail(Code::kForbidden, "only the owner or an admin removes members");
  if (member_kind == actor.kind && member_id == actor.id) {
    fail(Code::kInvalid, "to leave the room use leave");
  }
  auto target_role = repository_.role_of(room_id, member_kind, member_id);
  if (target_role.empty()) fail(Code::kNotFound, "no such member");
  if (target_role == "owner") fail(Code::kForbidden, "the owner cannot be removed");
  if (target_role == "admin" && room.my_role() != "owner") {
    fail(Code::kForbidden, "only the owner removes an admin");
  }
  std::lock_guard lock(chat_.conversation_lock(room_id));
  auto event = repository_.remove_member(room_id, member_kind, member_id, "member.removed");
  if (!event) fail(Code::kNotFound, "no such member");
  if (member_kind == "bot") repository_.set_bot(room_id, "");  // a removed bot answers no more
  publish({*event});
  return event->seq();
}

chat::v1::RoomMember RoomService::set_role(const Actor& actor, const std::string& room_id,
                                           const std::string& member_kind,
                                           const std::string& member_id, const std::string& role) {
  auto room = member_room(actor, room_id);
  if (role != "admin" && role != "member") {
    fail(Code::kInvalid, "role must be admin or member (ownership is transferred)");
  }
  if (room.my_role() != "owner") fail(Code::kForbidden, "only the owner changes roles");
  auto target_role = repository_.role_of(room_id, member_kind, member_id);
  if (target_role.empty()) fail(Code::kNotFound, "no such member");
  if (target_role == "owner") fail(Code::kConflict, "the owner's role changes by transferring ownership");
  if (role == "admin" && member_kind != "user") fail(Code::kInvalid, "only users can be admins");
  std::optional<chat::v1::Message> event;
  {
    std::lock_guard lock(chat_.conversation_lock(room_id));
    event = repository_.set_role(room_id, member_kind, member_id, role);
    if (!event) fail(Code::kNotFound, "no such member");
    publish({*event});
  }
  chat::v1::RoomMember member;
  member.set_kind(member_kind);
  member.set_id(member_id);
  member.set_name(event->sender().name());
  member.set_role(role);
  return member;
}

chat::v1::Room RoomService::transfer_ownership(const Actor& actor, const std::string& room_id,
                                               const std::string& member_kind,
                                               const std::string& member_id) {
  auto room = member_room(actor, room_id);
  if (room.my_role() != "owner") fail(Code::kForbidden, "only the owner transfers ownership");
  if (member_kind != "user") fail(Code::kInvalid, "ownership goes to a user member");
  if (member_id == actor.id) fail(Code::kInvalid, "already the owner");
  {
    std::lock_guard lock(chat_.conversation_lock(room_id));
    auto events = repository_.transfer_owner(room_id, member_of(actor), MemberRef{member_kind, member_id, ""});
    if (events.empty()) fail(Code::kNotFound, "no such member");
    publish(events);
  }
  return visible_room(actor, room_id);
}

chat::v1::RoomInvite RoomService::create_invite(const Actor& actor, const std::string& room_id,
                                                int ttl_seconds) {
  auto room = member_room(actor, room_id);
  if (!is_admin(room.my_role())) fail(Code::kForbidden, "only the owner or an admin creates invites");
  int ttl = ttl_seconds == 0 ? RoomLimits::kDefaultInviteTtlS : ttl_seconds;
  if (ttl < RoomLimits::kMinInviteTtlS || ttl > RoomLimits::kMaxInviteTtlS) {
    fail(Code::kInvalid, "ttl_seconds must be 60..2592000");
  }
  std::string token = common::random_base62(kInviteTokenLength);
  auto [id, expires] = repository_.create_invite(room_id, common::sha256_hex(token),
                                                 actor.kind + ":" + actor.id, ttl);
  chat::v1::RoomInvite invite;
  invite.set_token(token);
  invite.set_invite_id(id);
  *invite.mutable_expires_at() = rpc::timestamp_from_micros(expires);
  return invite;
}

void RoomService::revoke_invite(const Actor& actor, const std::string& room_id,
                                const std::string& invite_id) {
  auto room = member_room(actor, room_id);
  if (!is_admin(room.my_role())) fail(Code::kForbidden, "only the owner or an admin revokes invites");
  if (!common::is_uuid(invite_id) || !repository_.revoke_invite(room_id, invite_id)) {
    fail(Code::kNotFound, "invite not found");
  }
}

std::vector<chat::v1::RoomMember> RoomService::members(const Actor& actor, const std::string& room_id) {
  member_room(actor, room_id);
  return repository_.members(room_id);
}

std::optional<std::string> RoomService::bot_question(const std::string& text,
                                                     const std::string& bot_name) {
  if (auto command = parse_ai_command(text)) return command;
  if (bot_name.empty()) return std::nullopt;
  std::string lower = common::to_lower_ascii(text);
  std::string mention = "@" + common::to_lower_ascii(bot_name);
  for (std::size_t pos = lower.find(mention); pos != std::string::npos;
       pos = lower.find(mention, pos + 1)) {
    bool starts = pos == 0 || word_end(lower, pos - 1);
    if (starts && word_end(lower, pos + mention.size())) {
      // The mention and the punctuation after it ("@bot, …", "@bot: …") go.
      std::size_t after = pos + mention.size();
      while (after < text.size() && (text[after] == ',' || text[after] == ':' ||
                                     text[after] == ' ' || text[after] == '\t')) {
        ++after;
      }
      std::string rest = std::string(common::trim(text.substr(0, pos))) + " " + text.substr(after);
      return std::string(common::trim(rest));
    }
  }
  return std::nullopt;
}

chat::v1::PostMessageResponse RoomService::post(const Actor& actor, const std::string& room_id,
                                                const std::string& client_id,
                                                const std::string& text) {
  auto room = member_room(actor, room_id);
  chat::v1::PostMessageRequest request;
  request.set_tenant_id(actor.tenant_id);
  request.set_conversation_id(room_id);
  request.set_client_id(client_id);
  request.set_text(text);
  auto* sender = request.mutable_sender();
  sender->set_kind(actor.kind == "user" ? common::v1::SENDER_KIND_OPERATOR
                                        : common::v1::SENDER_KIND_VISITOR);
  sender->set_id(actor.id);
  sender->set_name(actor.name);
  std::optional<std::string> question;
  std::optional<E2eeKeyCheck> key;
  if (room.e2ee() && e2ee_) {
    e2ee_->check_text(room_id, text);  // E2eeError; no bot in e2ee rooms
    // harden: checked again inside the append, under the lock a leave's epoch bump takes.
    key = e2ee_key_of(text);
  }
  if (!room.bot_id().empty() && !room.e2ee()) question = bot_question(text, room.bot_name());
  try {
    return chat_.post_room_message(request, question, key);
  } catch (const rpc::StatusError& e) {
    if (!key || e.code() != grpc::StatusCode::PERMISSION_DENIED) throw;
    // Refused inside the append: no member now (forbidden), or a leave / removal opened the
    // next epoch meanwhile (key_epoch_stale, E2eeError as before the append). Nothing stored.
    member_room(actor, room_id);
    e2ee_->check_text(room_id, text);
    throw;
  }
}

std::vector<chat::v1::Message> RoomService::history(const Actor& actor, const std::string& room_id,
                                                    std::int64_t since_seq, std::int64_t before_seq,
                                                    int limit) {
  member_room(actor, room_id);
  int n = clamp(limit, RoomLimits::kDefaultPage, RoomLimits::kMaxMessagesPage);
  if (before_seq < 0 || since_seq < 0) fail(Code::kInvalid, "since_seq and before_seq must be >= 0");
  return chat_.history(room_id, since_seq, before_seq, n);  // roomcore: edits merged, files
}

chat::v1::Room RoomService::set_bot(const Actor& actor, const std::string& room_id,
                                    const std::string& bot_id) {
  auto room = member_room(actor, room_id);
  if (actor.kind != "user" || !is_admin(room.my_role())) {
    fail(Code::kForbidden, "only the owner or an admin sets the room's bot");
  }
  if (room.e2ee()) fail(Code::kConflict, "e2ee_room: the bot cannot read an end-to-end encrypted room");
  BotProfile bot;
  if (!bot_id.empty()) {
    if (!common::is_uuid(bot_id)) fail(Code::kInvalid, "bot_id must be a UUID");
    bot = bots_.get_bot(actor.tenant_id, bot_id);  // NOT_FOUND (rpc::StatusError) when not the tenant's
  }
  {
    std::lock_guard lock(chat_.conversation_lock(room_id));
    std::vector<chat::v1::Message> events;
    if (!room.bot_id().empty() && room.bot_id() != bot_id) {
      if (auto e = repository_.remove_member(room_id, "bot", room.bot_id(), "member.left")) events.push_back(*e);
    }
    repository_.set_bot(room_id, bot_id);
    if (!bot_id.empty()) {
      if (auto e = repository_.add_member(room_id, MemberRef{"bot", bot_id, bot.name}, "member")) {
        events.push_back(*e);
      }
    }
    publish(events);
  }
  return visible_room(actor, room_id);
}

}  // namespace botfactory::channel
