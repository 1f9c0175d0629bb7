#include "botfactory/redis/credentials.hpp"

#include "botfactory/common/config.hpp"

namespace botfactory::redis {

std::vector<std::string_view> auth_command(const Credentials& credentials) {
  std::vector<std::string_view> args{"AUTH"};
  if (!credentials.username.empty()) args.push_back(credentials.username);
  args.push_back(credentials.password);
  return args;
}

Credentials credentials_from_env() {
  return {common::env_string("REDIS_USERNAME", ""), common::env_string("REDIS_PASSWORD", "")};
}

}  // namespace botfactory::redis
