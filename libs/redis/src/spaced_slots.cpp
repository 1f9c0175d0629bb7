#include "botfactory/redis/spaced_slots.hpp"

#include <algorithm>

#include <hiredis/hiredis.h>

#include "botfactory/common/logging.hpp"

namespace botfactory::redis {
namespace {

// KEYS: the keys; ARGV[1]: now in µs (0 = TIME); ARGV[1 + i]: the spacing of KEYS[i] in µs.
// Returns {0, wait µs} when some key is still within its spacing, else {1, now} after booking.
// Numbers are written with %.0f: µs since the epoch (~1.7e15) are exact in a Lua double.
constexpr std::string_view kReserveScript =
    "local now = tonumber(ARGV[1]) "
    "if now == 0 then local t = redis.call('TIME') now = tonumber(t[1]) * 1000000 + tonumber(t[2]) end "
    "local wait = 0 "
    "for i = 1, #KEYS do "
    "  local last = redis.call('GET', KEYS[i]) "
    "  if last then local w = tonumber(last) + tonumber(ARGV[i + 1]) - now "
    "    if w > wait then wait = w end end "
    "end "
    "if wait > 0 then return {0, math.ceil(wait)} end "
    "for i = 1, #KEYS do "
    "  redis.call('SET', KEYS[i], string.format('%.0f', now), 'PX', math.floor(tonumber(ARGV[i + 1]) / 1000) + 1000) "
    "end "
    "return {1, string.format('%.0f', now)}";

// KEYS[1]; ARGV[1]: now in µs (0 = TIME); ARGV[2]: the spacing in µs (for the expiry).
constexpr std::string_view kTouchScript =
    "local now = tonumber(ARGV[1]) "
    "if now == 0 then local t = redis.call('TIME') now = tonumber(t[1]) * 1000000 + tonumber(t[2]) end "
    "local last = redis.call('GET', KEYS[1]) "
    "if last and tonumber(last) >= now then return 0 end "
    "redis.call('SET', KEYS[1], string.format('%.0f', now), 'PX', math.floor(tonumber(ARGV[2]) / 1000) + 1000) "
    "return 1";

}  // namespace

SpacedSlots::SpacedSlots(std::string host, int port, std::chrono::milliseconds timeout,
                         Credentials credentials)
    : client_(std::move(host), port, timeout, std::move(credentials)) {}

std::optional<SpacedSlots::Slot> SpacedSlots::reserve(const std::vector<SpacedKey>& keys,
                                                      std::int64_t now_us) {
  if (keys.empty() || keys.size() > 8) return Slot{};
  std::vector<std::string> numbers;
  numbers.reserve(keys.size() + 2);
  numbers.push_back(std::to_string(keys.size()));
  numbers.push_back(std::to_string(now_us));
  for (const auto& k : keys) numbers.push_back(std::to_string(k.spacing.count()));
  // EVAL script numkeys key... now spacing...
  std::vector<std::string_view> args{"EVAL", kReserveScript, numbers[0]};
  for (const auto& k : keys) args.emplace_back(k.key);
  for (std::size_t i = 1; i < numbers.size(); ++i) args.emplace_back(numbers[i]);
  auto reply = client_.command(args);
  if (!reply) return std::nullopt;
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
      reply->element[0]->type != REDIS_REPLY_INTEGER) {
    common::logger("redis")->warn("spaced slots: unexpected reply (type {})", reply->type);
    return std::nullopt;
  }
  const auto* second = reply->element[1];
  if (reply->element[0]->integer == 0) {
    if (second->type != REDIS_REPLY_INTEGER) return std::nullopt;
    return Slot{std::chrono::microseconds(std::max<long long>(second->integer, 1)), 0};
  }
  if (second->type != REDIS_REPLY_STRING) return std::nullopt;
  return Slot{std::chrono::microseconds(0), std::stoll(std::string(second->str, second->len))};
}

bool SpacedSlots::touch(const SpacedKey& key, std::int64_t now_us) {
  auto now = std::to_string(now_us);
  auto spacing = std::to_string(key.spacing.count());
  auto reply = client_.command({"EVAL", kTouchScript, "1", key.key, now, spacing});
  return reply && reply->type == REDIS_REPLY_INTEGER;
}

}  // namespace botfactory::redis
