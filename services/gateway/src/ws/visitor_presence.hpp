#pragma once
// Which conversations have a visitor socket on this replica, kept in Redis with heartbeats
// (docs/architecture.md "Visitor presence and reply cancellation"), so that channel-connector
// can tell whether anybody is left to read a bot reply.

#include <string>

namespace botfactory::redis {
class PresenceHeartbeat;
}

namespace botfactory::gateway {

/// Records this replica in `<REDIS_KEY_PREFIX>presence:conv:<conversation id>` while at least one
/// of its visitor sockets has joined the conversation (redis::PresenceHeartbeat: refreshed every
/// PRESENCE_HEARTBEAT_MS, expiring after PRESENCE_TTL_MS). Calls only touch memory (never block
/// on Redis). Thread-safe.
class VisitorPresence {
 public:
  /// `heartbeat` must outlive this; `replica` is this process's unique member name.
  VisitorPresence(redis::PresenceHeartbeat& heartbeat, std::string key_prefix, std::string replica);

  /// A visitor socket joined `conversation_id` (counted: one left() per joined()).
  void joined(const std::string& conversation_id);
  /// A visitor socket left `conversation_id` or closed.
  void left(const std::string& conversation_id);

  /// A member name unique to this process: "<host name>/<pid>/<random hex>".
  static std::string unique_replica_name();

 private:
  redis::PresenceHeartbeat& heartbeat_;
  std::string key_prefix_;
  std::string replica_;
};

}  // namespace botfactory::gateway
