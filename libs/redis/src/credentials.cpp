#include "botfactory/redis/credentials.hpp"

#include "botfactory/common/config.hpp"

namespace botfactory::redis {

Credentials credentials_from_env() {
  return {common::env_string("REDIS_USERNAME", ""), common::env_string("REDIS_PASSWORD", "")};
}

}  // namespace botfactory::redis
