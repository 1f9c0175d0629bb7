#include "botfactory/redis/blocking_client.hpp"

#include <vector>

#include <hiredis/hiredis.h>

#include "botfactory/common/logging.hpp"

namespace botfactory::redis {

void ReplyDeleter::operator()(redisReply* reply) const {
  if (reply) freeReplyObject(reply);
}

BlockingClient::BlockingClient(std::string host, int port, std::chrono::milliseconds timeout,
                               Credentials credentials)
    : host_(std::move(host)), port_(port), timeout_(timeout), credentials_(std::move(credentials)) {}

BlockingClient::~BlockingClient() { drop(); }

void BlockingClient::drop() {
  if (context_) redisFree(context_);
  context_ = nullptr;
}

bool BlockingClient::ensure_connected() {
  if (context_ && context_->err == 0) return true;
  drop();
  timeval tv{static_cast<time_t>(timeout_.count() / 1000),
             static_cast<suseconds_t>((timeout_.count() % 1000) * 1000)};
  context_ = redisConnectWithTimeout(host_.c_str(), port_, tv);
  if (!context_ || context_->err) {
    common::logger("redis")->warn("connect to {}:{} failed: {}", host_, port_,
                                  context_ ? context_->errstr : "out of memory");
    drop();
    return false;
  }
  redisSetTimeout(context_, tv);
  if (has_auth(credentials_)) {
    auto reply = send(auth_command(credentials_));
    if (!reply || reply->type == REDIS_REPLY_ERROR) {
      common::logger("redis")->warn("authentication to {}:{} failed{}", host_, port_,
                                    reply ? "" : " (no reply)");
      drop();
      return false;
    }
  }
  return true;
}

Reply BlockingClient::send(const std::vector<std::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (auto arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  return Reply(static_cast<redisReply*>(
      redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data())));
}

Reply BlockingClient::command(std::initializer_list<std::string_view> args) {
  std::vector<std::string_view> argv(args);
  std::lock_guard lock(mutex_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!ensure_connected()) return nullptr;
    if (auto reply = send(argv)) return reply;
    drop();  // broken connection: reconnect once
  }
  return nullptr;
}

std::vector<Reply> BlockingClient::pipeline(const std::vector<std::vector<std::string>>& commands) {
  std::vector<Reply> replies;
  if (commands.empty()) return replies;
  std::lock_guard lock(mutex_);
  if (!ensure_connected()) return replies;
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& command : commands) {
    argv.clear();
    lengths.clear();
    for (const auto& arg : command) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    if (redisAppendCommandArgv(context_, static_cast<int>(argv.size()), argv.data(),
                               lengths.data()) != REDIS_OK) {
      drop();
      return replies;
    }
  }
  replies.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
      drop();
      replies.clear();
      return replies;
    }
    replies.emplace_back(static_cast<redisReply*>(raw));
  }
  return replies;
}

}  // namespace botfactory::redis
