#include "ws/visitor_presence.hpp"

#include <unistd.h>

#include <array>
#include <random>

#include "botfactory/redis/presence_heartbeat.hpp"
#include "botfactory/redis/presence_keys.hpp"

namespace botfactory::gateway {

VisitorPresence::VisitorPresence(redis::PresenceHeartbeat& heartbeat, std::string key_prefix,
                                 std::string replica)
    : heartbeat_(heartbeat), key_prefix_(std::move(key_prefix)), replica_(std::move(replica)) {}

void VisitorPresence::joined(const std::string& conversation_id) {
  heartbeat_.hold(redis::conversation_presence_key(key_prefix_, conversation_id), replica_);
}

void VisitorPresence::left(const std::string& conversation_id) {
  heartbeat_.release(redis::conversation_presence_key(key_prefix_, conversation_id), replica_);
}

std::string VisitorPresence::unique_replica_name() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  std::random_device random;
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%08x%08x", random(), random());
  return std::string(host.data()) + "/" + std::to_string(getpid()) + "/" + suffix;
}

}  // namespace botfactory::gateway
