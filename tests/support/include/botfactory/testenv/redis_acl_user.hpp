#pragma once
// A throw-away Redis ACL user (Redis 6+, https://redis.io/docs/management/security/acl/) on the
// test Redis, to exercise AUTH without changing the default user that other tests share.
// Header-only: link botfactory::redis.

#include <string>

#include "botfactory/common/random.hpp"
#include "botfactory/redis/blocking_client.hpp"
#include "botfactory/testenv/test_env.hpp"

namespace botfactory::testenv {

/// Creates user `bf-test-<random>` with a random password and every permission; deletes it on
/// destruction.
class RedisAclUser {
 public:
  RedisAclUser()
      : admin_(redis_host(), redis_port()),
        username_("bf-test-" + common::random_base62(10)),
        password_(common::random_base62(24)) {
    admin_.command({"ACL", "SETUSER", username_, "on", ">" + password_, "~*", "&*", "+@all"});
  }
  ~RedisAclUser() { admin_.command({"ACL", "DELUSER", username_}); }
  RedisAclUser(const RedisAclUser&) = delete;
  RedisAclUser& operator=(const RedisAclUser&) = delete;

  /// Credentials of the user; `valid` false gives a wrong password.
  redis::Credentials credentials(bool valid = true) const {
    return {username_, valid ? password_ : password_ + "-wrong"};
  }

 private:
  redis::BlockingClient admin_;
  std::string username_;
  std::string password_;
};

}  // namespace botfactory::testenv
