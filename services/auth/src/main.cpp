// botfactory-auth: wiring only. Settings come from the environment (docs/architecture.md).
#include <memory>

#include "auth_grpc_service.hpp"
#include "auth_migrations.hpp"
#include "authenticator.hpp"
#include "botfactory/common/config.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/rpc/service_main.hpp"

namespace {

constexpr const char* kDevJwtSecret = "dev-only-insecure-jwt-secret-change-me-0123456789";
constexpr std::int64_t kMaxTtlSeconds = 10LL * 365 * 24 * 3600;

botfactory::auth::AuthSettings settings_from_env() {
  using botfactory::common::env_int;
  using botfactory::common::env_string;
  botfactory::auth::AuthSettings settings;
  settings.jwt_secret = env_string("JWT_SECRET", kDevJwtSecret);
  if (settings.jwt_secret == kDevJwtSecret) {
    botfactory::common::logger("auth")->warn(
        "JWT_SECRET is not set: using the insecure development default; set it in production");
  } else if (settings.jwt_secret.size() < 32) {
    throw botfactory::common::ConfigError("JWT_SECRET must be at least 32 bytes");
  }
  settings.jwt_issuer = env_string("JWT_ISSUER", "botfactory");
  settings.access_token_ttl = std::chrono::seconds(env_int("ACCESS_TOKEN_TTL_S", 900, 1, kMaxTtlSeconds));
  settings.refresh_token_ttl =
      std::chrono::seconds(env_int("REFRESH_TOKEN_TTL_S", 2592000, 1, kMaxTtlSeconds));
  settings.visitor_token_ttl =
      std::chrono::seconds(env_int("VISITOR_TOKEN_TTL_S", 86400, 1, kMaxTtlSeconds));
  return settings;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = botfactory::rpc::ServiceOptions::standard(
      "auth", "AUTH", 50051, 9101, "auth", &botfactory::migrations::auth_migrations());
  return botfactory::rpc::run_service(
      argc, argv, options, [](botfactory::rpc::ServiceContext& ctx) {
        auto authenticator =
            std::make_shared<botfactory::auth::Authenticator>(ctx.pool, settings_from_env());
        std::vector<std::unique_ptr<grpc::Service>> services;
        services.push_back(std::make_unique<botfactory::auth::AuthGrpcService>(authenticator));
        return services;
      });
}
