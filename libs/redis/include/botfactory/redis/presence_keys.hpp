#pragma once
// Names of the Redis keys that hold presence (presence_heartbeat.hpp, presence_reader.hpp).

#include <string>
#include <string_view>

namespace botfactory::redis {

/// The sorted set of the gateway replicas that hold a visitor socket joined to
/// `conversation_id`: `<prefix>presence:conv:<conversation_id>` (prefix = REDIS_KEY_PREFIX,
/// shared by the gateway that writes it and channel-connector that reads it).
inline std::string conversation_presence_key(std::string_view prefix,
                                             std::string_view conversation_id) {
  std::string key(prefix);
  key += "presence:conv:";
  key += conversation_id;
  return key;
}

}  // namespace botfactory::redis

namespace botfactory::redis {

/// Rooms (issue 11): the sorted set of the members online in room `room_id`, one entry per
/// (gateway replica, member): `<prefix>presence:room:<room_id>`.
inline std::string room_presence_key(std::string_view prefix, std::string_view room_id) {
  std::string key(prefix);
  key += "presence:room:";
  key += room_id;
  return key;
}

}  // namespace botfactory::redis
