#include "token_revocation.hpp"

#include <hiredis/hiredis.h>

#include "botfactory/common/logging.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/redis/revocation_keys.hpp"

namespace botfactory::auth {
namespace {

metrics::Counter& failures() {
  static auto& counter = metrics::Registry::global().counter(
      "auth_token_revocation_failures_total",
      "Token revocations that could not be written to Redis (tokens then live until exp)");
  return counter;
}

metrics::Counter& written() {
  static auto& counter = metrics::Registry::global().counter(
      "auth_token_revocations_total", "Per-user token revocations written to Redis");
  return counter;
}

}  // namespace

RedisTokenRevocations::RedisTokenRevocations(std::unique_ptr<redis::BlockingClient> client,
                                             std::string key_prefix,
                                             std::chrono::seconds access_token_ttl)
    : client_(std::move(client)),
      key_prefix_(std::move(key_prefix)),
      ttl_(std::chrono::duration_cast<std::chrono::milliseconds>(access_token_ttl + kTtlMargin)) {}

bool RedisTokenRevocations::revoke(const std::string& user_id, std::int64_t valid_from_ms) {
  auto replies = client_->pipeline({
      {"SET", redis::user_revoked_key(key_prefix_, user_id), std::to_string(valid_from_ms), "PX",
       std::to_string(ttl_.count())},
      {"PUBLISH", redis::user_revoked_channel(key_prefix_),
       redis::user_revoked_payload(user_id, valid_from_ms)},
  });
  bool ok = replies.size() == 2 && replies[0] && replies[0]->type != REDIS_REPLY_ERROR;
  if (!ok) {
    failures().inc();
    common::logger("auth")->error(
        "user {}: token revocation not written to Redis; its access tokens live until exp",
        user_id);
    return false;
  }
  written().inc();
  return true;
}

}  // namespace botfactory::auth
