#pragma once
// Redis authentication settings shared by every client of this library.

#include <string>
#include <string_view>
#include <vector>

namespace botfactory::redis {

/// AUTH credentials (https://redis.io/commands/auth/). An empty password means no AUTH; a
/// username selects a Redis 6+ ACL user, else the `default` user. Never logged.
struct Credentials {
  std::string username;
  std::string password;
};

/// REDIS_USERNAME and REDIS_PASSWORD from the environment (both optional).
Credentials credentials_from_env();

/// True when connections must send AUTH first.
inline bool has_auth(const Credentials& credentials) { return !credentials.password.empty(); }

/// The AUTH command for `credentials`: {"AUTH", [username,] password}; views into
/// `credentials`, which must outlive them.
std::vector<std::string_view> auth_command(const Credentials& credentials);

}  // namespace botfactory::redis
