#include "ws/room_frames.hpp"

#include <boost/json.hpp>


namespace botfactory::gateway {
namespace {

namespace json = boost::json;

ParseResult fail(std::string code, std::string message, std::string room_id = {}) {
  ParseResult result;
  result.error = FrameError{std::move(code), std::move(message), {}, std::move(room_id)};
  return result;
}

/// A non-negative integer member; absent/null gives `fallback`; nullopt when malformed.
std::optional<std::int64_t> non_negative(const json::object& object, const char* key,
                                         std::int64_t fallback) {
  auto it = object.find(key);
  if (it == object.end() || it->value().is_null()) return fallback;
  const auto& v = it->value();
  if (v.is_int64() && v.as_int64() >= 0) return v.as_int64();
  if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v.as_uint64());
  }
  return std::nullopt;
}

json::object member_json(const RoomPresenceMember& m) {
  return json::object{{"kind", m.kind}, {"id", m.id}, {"name", m.name}};
}

}  // namespace

ParseResult parse_room_frame(const json::object& object, const json::string& type) {
  ClientFrame frame;
  if (type == "room.join") {
    frame.type = ClientFrame::Type::kRoomJoin;
  } else if (type == "room.history") {
    frame.type = ClientFrame::Type::kRoomHistory;
  } else if (type == "room.presence") {
    frame.type = ClientFrame::Type::kRoomPresence;
  } else {
    return fail("unknown_type", "unknown frame type");
  }
  auto it = object.find("room_id");
  if (it == object.end() || !it->value().is_string() || it->value().as_string().empty() ||
      it->value().as_string().size() > kMaxConversationIdLength) {
    return fail("invalid_message", "room_id is required");
  }
  frame.conversation_id = std::string(it->value().as_string());
  if (frame.type == ClientFrame::Type::kRoomJoin) {
    auto since = non_negative(object, "since_seq", 0);
    if (!since) return fail("invalid_message", "since_seq must be an integer >= 0", frame.conversation_id);
    frame.since_seq = *since;
  } else if (frame.type == ClientFrame::Type::kRoomHistory) {
    auto before = non_negative(object, "before_seq", 0);
    if (!before) return fail("invalid_message", "before_seq must be an integer >= 0", frame.conversation_id);
    frame.before_seq = *before;
    auto limit = non_negative(object, "limit", kDefaultRoomHistory);
    if (!limit || *limit < 1 || *limit > kMaxRoomHistory) {
      return fail("invalid_message", "limit must be an integer in [1, 200]", frame.conversation_id);
    }
    frame.limit = static_cast<int>(*limit);
  }
  return {frame, std::nullopt};
}

std::optional<MembershipEnd> membership_end(std::string_view frame) {
  if (frame.find(R"("event":"member.removed")") == frame.npos &&
      frame.find(R"("event":"member.left")") == frame.npos) {
    return std::nullopt;
  }
  boost::system::error_code ec;
  auto value = json::parse(frame, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto* message = value.as_object().if_contains("message");
  if (!message || !message->is_object()) return std::nullopt;
  const auto* event = message->as_object().if_contains("event");
  if (!event || !event->is_string() ||
      (event->as_string() != "member.removed" && event->as_string() != "member.left")) {
    return std::nullopt;
  }
  const auto* sender = message->as_object().if_contains("sender");
  if (!sender || !sender->is_object()) return std::nullopt;
  const auto* kind = sender->as_object().if_contains("kind");
  const auto* id = sender->as_object().if_contains("id");
  if (!kind || !kind->is_string() || !id || !id->is_string()) return std::nullopt;
  return MembershipEnd{std::string(kind->as_string()), std::string(id->as_string())};
}

bool ends_membership_of(const MembershipEnd& end, const RoomPresenceMember& me) {
  const char* expected_kind = me.kind == "visitor" ? "visitor" : "operator";
  return end.kind == expected_kind && end.id == me.id;
}

bool ends_membership_of(std::string_view frame, const RoomPresenceMember& me) {
  auto end = membership_end(frame);
  return end && ends_membership_of(*end, me);
}

std::string encode_room_joined(std::string_view room_id, std::int64_t last_seq) {
  json::object o{{"type", "room.joined"},
                 {"room_id", room_id},
                 {"conversation_id", room_id},
                 {"last_seq", last_seq}};
  return json::serialize(o);
}

std::string encode_room_history(std::string_view room_id, std::int64_t before_seq,
                                const std::vector<std::string>& frames, bool more) {
  json::array messages;
  messages.reserve(frames.size());
  for (const auto& f : frames) {
    boost::system::error_code ec;
    auto v = json::parse(f, ec);
    if (!ec) messages.push_back(std::move(v));
  }
  json::object o{{"type", "room.history"},
                 {"room_id", room_id},
                 {"before_seq", before_seq},
                 {"messages", std::move(messages)},
                 {"more", more}};
  return json::serialize(o);
}

std::string encode_room_presence(std::string_view room_id,
                                 const std::vector<RoomPresenceMember>& online) {
  json::array list;
  for (const auto& m : online) list.push_back(member_json(m));
  json::object o{{"type", "room.presence"},
                 {"room_id", room_id},
                 {"count", static_cast<std::int64_t>(online.size())},
                 {"online", std::move(list)}};
  return json::serialize(o);
}

std::string encode_presence_event(std::string_view room_id, bool joined,
                                  const RoomPresenceMember& member) {
  json::object o{{"type", "presence"},
                 {"conversation_id", room_id},
                 {"state", joined ? "join" : "leave"},
                 {"member", member_json(member)}};
  return json::serialize(o);
}

}  // namespace botfactory::gateway
