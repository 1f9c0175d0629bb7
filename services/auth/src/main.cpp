// botfactory-auth: wiring only. Settings come from the environment (docs/architecture.md).
#include <memory>

#include "auth_grpc_service.hpp"
#include "auth_migrations.hpp"
#include "authenticator.hpp"
#include "token_revocation.hpp"
#include "botfactory/common/config.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/secrets.hpp"
#include "botfactory/redis/blocking_client.hpp"
#include "botfactory/redis/credentials.hpp"
#include "botfactory/rpc/service_main.hpp"

namespace {

constexpr std::int64_t kMaxTtlSeconds = 10LL * 365 * 24 * 3600;
constexpr std::int64_t kMiB = 1024 * 1024;

botfactory::auth::AuthSettings settings_from_env() {
  using botfactory::common::env_int;
  using botfactory::common::env_string;
  botfactory::auth::AuthSettings settings;
  settings.jwt_secret = botfactory::common::require_secret("JWT_SECRET");
  settings.jwt_issuer = env_string("JWT_ISSUER", "botfactory");
  settings.access_token_ttl = std::chrono::seconds(env_int("ACCESS_TOKEN_TTL_S", 900, 1, kMaxTtlSeconds));
  settings.refresh_token_ttl =
      std::chrono::seconds(env_int("REFRESH_TOKEN_TTL_S", 2592000, 1, kMaxTtlSeconds));
  settings.visitor_token_ttl =
      std::chrono::seconds(env_int("VISITOR_TOKEN_TTL_S", 86400, 1, kMaxTtlSeconds));
  // One Argon2id hash holds password_cost.memlimit bytes while it runs.
  auto budget_mb = env_int("AUTH_HASH_MEMORY_BUDGET_MB", 256, 1, 1 << 20);
  settings.hash_slots = botfactory::auth::hash_slots_for_budget(
      static_cast<std::size_t>(budget_mb * kMiB), settings.password_cost.memlimit);
  settings.hash_wait = std::chrono::milliseconds(env_int("AUTH_HASH_WAIT_MS", 1000, 0, 10000));
  auto& throttle = settings.login_throttle;
  throttle.free_failures = static_cast<int>(env_int("LOGIN_THROTTLE_FAILURES", 5, 0, 1000));
  throttle.window = std::chrono::seconds(env_int("LOGIN_THROTTLE_WINDOW_S", 900, 1, 86400));
  throttle.max_backoff =
      std::chrono::seconds(env_int("LOGIN_THROTTLE_MAX_BACKOFF_S", 900, 1, 86400));
  botfactory::common::logger("auth")->info(
      "password hashing: Argon2id t={} m={} KiB, at most {} at once ({} MiB budget)",
      settings.password_cost.opslimit, settings.password_cost.memlimit / 1024,
      settings.hash_slots, budget_mb);
  return settings;
}

/// Revocations go to the Redis the gateways read (REDIS_HOST, REDIS_PORT, REDIS_USERNAME,
/// REDIS_PASSWORD, REDIS_KEY_PREFIX: the same settings as the gateway's).
std::shared_ptr<botfactory::auth::TokenRevocations> revocations_from_env(
    std::chrono::seconds access_token_ttl) {
  using botfactory::common::env_int;
  using botfactory::common::env_string;
  auto client = std::make_unique<botfactory::redis::BlockingClient>(
      env_string("REDIS_HOST", "127.0.0.1"), static_cast<int>(env_int("REDIS_PORT", 6379, 1, 65535)),
      std::chrono::milliseconds(500), botfactory::redis::credentials_from_env());
  return std::make_shared<botfactory::auth::RedisTokenRevocations>(
      std::move(client), env_string("REDIS_KEY_PREFIX", "bf:"), access_token_ttl);
}

}  // namespace

int main(int argc, char** argv) {
  auto options = botfactory::rpc::ServiceOptions::standard(
      "auth", "AUTH", 50051, 9101, "auth", &botfactory::migrations::auth_migrations());
  options.secrets = {"JWT_SECRET"};
  return botfactory::rpc::run_service(
      argc, argv, options, [](botfactory::rpc::ServiceContext& ctx) {
        auto settings = settings_from_env();
        auto revocations = revocations_from_env(settings.access_token_ttl);
        auto authenticator = std::make_shared<botfactory::auth::Authenticator>(
            ctx.pool, std::move(settings), botfactory::auth::system_clock_micros,
            std::move(revocations));
        std::vector<std::unique_ptr<grpc::Service>> services;
        services.push_back(std::make_unique<botfactory::auth::AuthGrpcService>(authenticator));
        return services;
      });
}
