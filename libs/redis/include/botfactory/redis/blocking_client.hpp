#pragma once
// One blocking Redis connection over hiredis, shared by threads (gRPC and REST worker threads).

#include <chrono>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "botfactory/redis/credentials.hpp"

struct redisContext;
struct redisReply;

namespace botfactory::redis {

/// Frees a hiredis reply.
struct ReplyDeleter {
  void operator()(redisReply* reply) const;
};
/// An owned hiredis reply (its `type` is one of hiredis' REDIS_REPLY_*).
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

/// Runs Redis commands (RESP, https://redis.io/docs/reference/protocol-spec/) on one connection.
/// Connects lazily (sending AUTH first when `credentials` has a password); a broken connection
/// is dropped and the command retried once on a new one. Calls are serialized by a mutex.
/// Failures are logged without the arguments or credentials (they may hold secrets).
class BlockingClient {
 public:
  /// `host`/`port` of the Redis server; `timeout` bounds connect and each command.
  BlockingClient(std::string host, int port,
                 std::chrono::milliseconds timeout = std::chrono::milliseconds(1000),
                 Credentials credentials = {});
  ~BlockingClient();
  BlockingClient(const BlockingClient&) = delete;
  BlockingClient& operator=(const BlockingClient&) = delete;

  /// Sends one command; `args` are binary-safe (the command name first). Returns the reply (an
  /// error reply has type REDIS_REPLY_ERROR), or null when Redis cannot be reached.
  Reply command(std::initializer_list<std::string_view> args);

  /// Sends `commands` (each binary-safe, the command name first) in one round trip (pipelining,
  /// https://redis.io/docs/manual/pipelining/) and returns their replies in order (an error
  /// reply has type REDIS_REPLY_ERROR). Empty when Redis cannot be reached or the connection
  /// broke midway (not retried: some commands may have run; callers repeat idempotent work).
  std::vector<Reply> pipeline(const std::vector<std::vector<std::string>>& commands);

 private:
  bool ensure_connected();
  void drop();
  /// One command on the current connection (connected, mutex held); null on I/O failure.
  Reply send(const std::vector<std::string_view>& args);

  std::string host_;
  int port_;
  std::chrono::milliseconds timeout_;
  Credentials credentials_;
  std::mutex mutex_;
  redisContext* context_ = nullptr;
};

}  // namespace botfactory::redis
