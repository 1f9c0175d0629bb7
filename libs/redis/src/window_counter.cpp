#include "botfactory/redis/window_counter.hpp"

#include <hiredis/hiredis.h>

#include "botfactory/common/logging.hpp"

namespace botfactory::redis {
namespace {

// KEYS[1]: the counter; ARGV[1]: the window in ms. Returns {count, ms until the window ends}.
// A key that lost its expiry (PTTL -1) gets it back, so a counter can never stick forever.
constexpr std::string_view kHitScript =
    "local c = redis.call('INCR', KEYS[1]) "
    "local ttl = redis.call('PTTL', KEYS[1]) "
    "if c == 1 or ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end "
    "return {c, ttl}";

}  // namespace

WindowCounter::WindowCounter(std::string host, int port, std::chrono::milliseconds timeout,
                             Credentials credentials)
    : client_(std::move(host), port, timeout, std::move(credentials)) {}

std::optional<WindowCount> WindowCounter::hit(std::string_view key,
                                              std::chrono::milliseconds window) {
  auto window_ms = std::to_string(window.count());
  auto reply = client_.command({"EVAL", kHitScript, "1", key, window_ms});
  if (!reply) return std::nullopt;
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
      reply->element[0]->type != REDIS_REPLY_INTEGER ||
      reply->element[1]->type != REDIS_REPLY_INTEGER) {
    common::logger("redis")->warn("rate counter: unexpected reply (type {})", reply->type);
    return std::nullopt;
  }
  return WindowCount{reply->element[0]->integer,
                     std::chrono::milliseconds(reply->element[1]->integer)};
}

}  // namespace botfactory::redis
