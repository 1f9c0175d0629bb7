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

bool Publisher::ping() {
  auto reply = client_.command({"PING"});
  return reply && reply->type != REDIS_REPLY_ERROR;
}

}  // namespace botfactory::redis
