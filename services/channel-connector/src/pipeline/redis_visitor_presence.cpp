#include "pipeline/redis_visitor_presence.hpp"

#include "botfactory/redis/presence_keys.hpp"

namespace botfactory::channel {

RedisVisitorPresence::RedisVisitorPresence(std::string host, int port,
                                           redis::Credentials credentials, std::string key_prefix,
                                           std::chrono::milliseconds timeout)
    : client_(std::move(host), port, timeout, std::move(credentials)),
      reader_(client_),
      key_prefix_(std::move(key_prefix)) {}

std::optional<bool> RedisVisitorPresence::visitor_present(const std::string& conversation_id) {
  auto count = reader_.count(redis::conversation_presence_key(key_prefix_, conversation_id));
  if (!count) return std::nullopt;
  return *count > 0;
}

}  // namespace botfactory::channel
