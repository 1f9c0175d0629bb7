#pragma once
// Test helper: drop chosen Redis client connections (by CLIENT SETNAME prefix), so a test can
// simulate a Redis outage for its own subscribers without disturbing other tests on the server.

#include <sstream>
#include <string>

#include <hiredis/hiredis.h>

#include "botfactory/testenv/test_env.hpp"

namespace botfactory::gateway_test {

/// CLIENT KILL ID for every client whose name starts with `prefix`; returns how many.
inline int kill_redis_clients(const std::string& prefix) {
  redisContext* admin = redisConnect(testenv::redis_host().c_str(), testenv::redis_port());
  if (admin == nullptr || admin->err) {
    if (admin) redisFree(admin);
    return -1;
  }
  int killed = 0;
  auto* list = static_cast<redisReply*>(redisCommand(admin, "CLIENT LIST"));
  if (list != nullptr && list->type == REDIS_REPLY_STRING) {
    std::istringstream lines(std::string(list->str, list->len));
    std::string line;
    while (std::getline(lines, line)) {
      std::string id;
      std::string name;
      std::istringstream fields(line);
      std::string field;
      while (fields >> field) {
        if (field.rfind("id=", 0) == 0) id = field.substr(3);
        if (field.rfind("name=", 0) == 0) name = field.substr(5);
      }
      if (id.empty() || name.rfind(prefix, 0) != 0) continue;
      auto* reply = static_cast<redisReply*>(redisCommand(admin, "CLIENT KILL ID %s", id.c_str()));
      if (reply != nullptr && reply->type == REDIS_REPLY_INTEGER) killed += static_cast<int>(reply->integer);
      if (reply != nullptr) freeReplyObject(reply);
    }
  }
  if (list != nullptr) freeReplyObject(list);
  redisFree(admin);
  return killed;
}

}  // namespace botfactory::gateway_test
