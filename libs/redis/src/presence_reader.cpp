#include "botfactory/redis/presence_reader.hpp"

#include <hiredis/hiredis.h>

namespace botfactory::redis {

PresenceReader::PresenceReader(BlockingClient& client, WallClock clock)
    : client_(client),
      clock_(clock ? std::move(clock) : WallClock([] { return std::chrono::system_clock::now(); })) {}

std::string PresenceReader::now_ms() const {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_().time_since_epoch());
  return "(" + std::to_string(ms.count());  // exclusive: an entry expiring now is gone
}

std::optional<std::int64_t> PresenceReader::count(const std::string& key) {
  auto reply = client_.command({"ZCOUNT", key, now_ms(), "+inf"});
  if (!reply || reply->type != REDIS_REPLY_INTEGER) return std::nullopt;
  return static_cast<std::int64_t>(reply->integer);
}

std::optional<std::vector<std::string>> PresenceReader::members(const std::string& key,
                                                                std::size_t limit) {
  auto reply = client_.command(
      {"ZRANGEBYSCORE", key, now_ms(), "+inf", "LIMIT", "0", std::to_string(limit)});
  if (!reply || reply->type != REDIS_REPLY_ARRAY) return std::nullopt;
  std::vector<std::string> out;
  out.reserve(reply->elements);
  for (std::size_t i = 0; i < reply->elements; ++i) {
    const auto* element = reply->element[i];
    if (element->type == REDIS_REPLY_STRING) out.emplace_back(element->str, element->len);
  }
  return out;
}

}  // namespace botfactory::redis
