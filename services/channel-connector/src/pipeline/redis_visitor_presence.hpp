#pragma once
// VisitorPresenceProbe on the gateways' presence keys in Redis.

#include <string>

#include "botfactory/redis/blocking_client.hpp"
#include "botfactory/redis/presence_reader.hpp"
#include "pipeline/visitor_watch.hpp"

namespace botfactory::channel {

/// Reads `<key_prefix>presence:conv:<id>` (redis::conversation_presence_key) with one ZCOUNT on
/// its own connection (timeout bounds each read). Thread-safe.
class RedisVisitorPresence final : public VisitorPresenceProbe {
 public:
  RedisVisitorPresence(std::string host, int port, redis::Credentials credentials,
                       std::string key_prefix,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(250));
  std::optional<bool> visitor_present(const std::string& conversation_id) override;

 private:
  redis::BlockingClient client_;
  redis::PresenceReader reader_;
  std::string key_prefix_;
};

}  // namespace botfactory::channel
