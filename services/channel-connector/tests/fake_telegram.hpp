#pragma once
// A fake Telegram Bot API server for tests (tests/support HttpTestServer: real sockets on
// 127.0.0.1:0, plain HTTP) speaking the documented formats of
// https://core.telegram.org/bots/api: POST /bot<token>/<method> with a JSON body, answers
// {"ok":true,"result":…} or {"ok":false,"error_code":…,"description":…,"parameters":
// {"retry_after":…}}.
//
//   getMe            the bot of a known token; 401 Unauthorized for any other token
//   getUpdates       long poll: queued updates with update_id >= offset at once, else waits up
//                    to min(timeout, 2 s) for one (offset confirms earlier ones: they are dropped)
//   setWebhook, deleteWebhook, getWebhookInfo   the webhook URL, secret_token and
//                    allowed_updates, recorded
//   sendMessage      recorded (chat_id, text, reply_markup), or the next scripted failure
//                    (fail_next()); answers a Message whose message_id is its 1-based index
//   sendChatAction   recorded; 400 when `refuse_chat_action`
//   answerCallbackQuery     recorded (callback_query_id, text); 400 without callback_query_id
//   editMessageReplyMarkup  recorded (chat_id, message_id, reply_markup); 400 "message to edit
//                    not found" for a message_id sendMessage never answered in that chat, 400
//                    "message is not modified" when the markup is the message's current one

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "botfactory/testenv/http_test_server.hpp"

namespace botfactory::channel::testing_support {

class FakeTelegram {
 public:
  struct Sent {
    std::string token;
    std::string chat_id;
    std::string text;
    std::chrono::steady_clock::time_point at{};  ///< when the request was received
    std::string reply_markup;  ///< reply_markup as JSON ("" = none); editMessageReplyMarkup updates it
  };
  struct CallbackAnswer {
    std::string callback_query_id;
    std::string text;
  };
  struct MarkupEdit {
    std::string chat_id;
    std::int64_t message_id = 0;
    std::string reply_markup;  ///< JSON
  };

  FakeTelegram();
  ~FakeTelegram();

  std::string base_url() const { return server_->base_url(); }
  /// A valid token for a bot with `id` and `username` (the token's prefix is the id).
  std::string add_bot(std::int64_t id, const std::string& username);
  /// Queues an update for getUpdates of `token`; returns its update_id.
  std::int64_t queue_update(const std::string& token, const std::string& update_json_without_id);
  /// The next sendMessage calls answer these (status, error_code, description, retry_after).
  void fail_next(int status, const std::string& description, int retry_after_s = 0);

  std::vector<Sent> sent();
  std::vector<CallbackAnswer> callback_answers();
  std::vector<MarkupEdit> markup_edits();
  /// sendMessage requests received (failed ones included).
  int send_attempts() const { return send_attempts_.load(); }
  int chat_actions() const { return chat_actions_.load(); }
  std::string webhook_url(const std::string& token);
  std::string webhook_secret(const std::string& token);
  /// allowed_updates of the last setWebhook (getWebhookInfo reports them); a test may overwrite
  /// them to stand for a registration made before rating buttons existed.
  std::vector<std::string> webhook_allowed_updates(const std::string& token);
  void set_webhook_allowed_updates(const std::string& token, std::vector<std::string> kinds);
  int method_calls(const std::string& method);

  std::atomic<bool> refuse_chat_action{false};
  /// getWebhookInfo answers 500 while set.
  std::atomic<bool> fail_webhook_info{false};
  /// What getWebhookInfo reports besides the URL: pending_update_count, last_error_message and
  /// last_error_date (Unix seconds; 0 = no error).
  void set_webhook_health(std::int64_t pending, const std::string& last_error, std::int64_t last_error_date);

  /// A Telegram Update JSON (without update_id) of a private text message.
  static std::string text_update(std::int64_t chat_id, const std::string& first_name,
                                 const std::string& text);
  /// A Telegram Update JSON (without update_id) of a callback_query: the button with `data`
  /// pressed under message `message_id` of private chat `chat_id`; its id is `query_id`.
  static std::string callback_update(std::int64_t chat_id, std::int64_t message_id,
                                     const std::string& data, const std::string& query_id);

 private:
  struct Failure {
    int status;
    std::string description;
    int retry_after_s;
  };
  void handle(const testenv::HttpTestRequest& request, testenv::HttpTestConnection& connection);

  std::mutex mutex_;
  std::condition_variable updated_;
  std::map<std::string, std::pair<std::int64_t, std::string>> bots_;  // token → id, username
  std::map<std::string, std::deque<std::pair<std::int64_t, std::string>>> updates_;
  std::int64_t next_update_id_ = 1000;
  std::deque<Failure> failures_;
  std::vector<Sent> sent_;
  std::vector<CallbackAnswer> callback_answers_;
  std::vector<MarkupEdit> markup_edits_;
  std::map<std::string, std::pair<std::string, std::string>> webhooks_;  // token → url, secret
  std::map<std::string, std::vector<std::string>> allowed_updates_;     // token → setWebhook's
  std::map<std::string, int> calls_;
  std::int64_t webhook_pending_ = 0;
  std::string webhook_last_error_;
  std::int64_t webhook_last_error_date_ = 0;
  std::atomic<int> send_attempts_{0};
  std::atomic<int> chat_actions_{0};
  std::atomic<bool> stopping_{false};
  std::unique_ptr<testenv::HttpTestServer> server_;
};

}  // namespace botfactory::channel::testing_support
