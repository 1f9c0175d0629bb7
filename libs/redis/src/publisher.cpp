#include "botfactory/redis/publisher.hpp"

#include <hiredis/hiredis.h>

namespace botfactory::redis {

Publisher::Publisher(std::string host, int port, std::chrono::milliseconds timeout,
                     Credentials credentials)
    : client_(std::move(host), port, timeout, std::move(credentials)) {}

std::int64_t Publisher::publish(std::string_view channel, std::string_view payload) {
  auto reply = client_.command({"PUBLISH", channel, payload});
  return reply && reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
}

std::vector<std::int64_t> Publisher::publish_many(
    const std::vector<std::pair<std::string, std::string>>& messages) {
  std::vector<std::int64_t> counts(messages.size(), -1);
  if (messages.empty()) return counts;
  std::vector<std::vector<std::string>> commands;
  commands.reserve(messages.size());
  for (const auto& [channel, payload] : messages) commands.push_back({"PUBLISH", channel, payload});
  auto replies = client_.pipeline(commands);
  for (std::size_t i = 0; i < replies.size() && i < counts.size(); ++i) {
    if (replies[i] && replies[i]->type == REDIS_REPLY_INTEGER) counts[i] = replies[i]->integer;
  }
  return counts;
}

bool Publisher::ping() {
  auto reply = client_.command({"PING"});
  return reply && reply->type != REDIS_REPLY_ERROR;
}

}  // namespace botfactory::redis
