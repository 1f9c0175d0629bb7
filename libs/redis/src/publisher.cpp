#include "botfactory/redis/publisher.hpp"

#include <hiredis/hiredis.h>

#include "botfactory/common/logging.hpp"

namespace botfactory::redis {

Publisher::Publisher(std::string host, int port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {}

Publisher::~Publisher() { drop(); }

void Publisher::drop() {
  if (context_) redisFree(context_);
  context_ = nullptr;
}

bool Publisher::ensure_connected() {
  if (context_ && context_->err == 0) return true;
  drop();
  timeval tv{static_cast<time_t>(timeout_.count() / 1000),
             static_cast<suseconds_t>((timeout_.count() % 1000) * 1000)};
  context_ = redisConnectWithTimeout(host_.c_str(), port_, tv);
  if (!context_ || context_->err) {
    common::logger("redis")->warn("connect to {}:{} failed: {}", host_, port_,
                                  context_ ? context_->errstr : "out of memory");
    drop();
    return false;
  }
  redisSetTimeout(context_, tv);
  return true;
}

std::int64_t Publisher::publish(std::string_view channel, std::string_view payload) {
  std::lock_guard lock(mutex_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!ensure_connected()) return -1;
    auto* reply = static_cast<redisReply*>(redisCommand(context_, "PUBLISH %b %b", channel.data(),
                                                        channel.size(), payload.data(),
                                                        payload.size()));
    if (reply == nullptr) {
      drop();  // broken connection: reconnect once
      continue;
    }
    std::int64_t receivers = reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
    freeReplyObject(reply);
    return receivers;
  }
  return -1;
}

bool Publisher::ping() {
  std::lock_guard lock(mutex_);
  if (!ensure_connected()) return false;
  auto* reply = static_cast<redisReply*>(redisCommand(context_, "PING"));
  if (reply == nullptr) {
    drop();
    return false;
  }
  freeReplyObject(reply);
  return true;
}

}  // namespace botfactory::redis
