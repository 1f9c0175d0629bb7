#include "fake_telegram.hpp"

#include <boost/json.hpp>

namespace botfactory::channel::testing_support {
namespace {
namespace json = boost::json;

std::string ok(const json::value& result) {
  return json::serialize(json::object{{"ok", true}, {"result", result}});
}

std::string error(int code, const std::string& description, int retry_after_s = 0) {
  json::object o{{"ok", false}, {"error_code", code}, {"description", description}};
  if (retry_after_s > 0) o["parameters"] = json::object{{"retry_after", retry_after_s}};
  return json::serialize(o);
}

}  // namespace

FakeTelegram::FakeTelegram()
    : server_(std::make_unique<testenv::HttpTestServer>(
          [this](const testenv::HttpTestRequest& r, testenv::HttpTestConnection& c) { handle(r, c); })) {}

FakeTelegram::~FakeTelegram() {
  stopping_ = true;
  updated_.notify_all();
  server_.reset();
}

std::string FakeTelegram::add_bot(std::int64_t id, const std::string& username) {
  std::string token = std::to_string(id) + ":AAH" + std::string(32, 'x') + username.substr(0, 2);
  std::lock_guard lock(mutex_);
  bots_[token] = {id, username};
  return token;
}

std::int64_t FakeTelegram::queue_update(const std::string& token, const std::string& update) {
  std::lock_guard lock(mutex_);
  auto id = ++next_update_id_;
  auto value = json::parse(update).as_object();
  value["update_id"] = id;
  updates_[token].emplace_back(id, json::serialize(value));
  updated_.notify_all();
  return id;
}

void FakeTelegram::fail_next(int status, const std::string& description, int retry_after_s) {
  std::lock_guard lock(mutex_);
  failures_.push_back(Failure{status, description, retry_after_s});
}

std::vector<FakeTelegram::Sent> FakeTelegram::sent() {
  std::lock_guard lock(mutex_);
  return sent_;
}

std::vector<FakeTelegram::CallbackAnswer> FakeTelegram::callback_answers() {
  std::lock_guard lock(mutex_);
  return callback_answers_;
}

std::vector<FakeTelegram::MarkupEdit> FakeTelegram::markup_edits() {
  std::lock_guard lock(mutex_);
  return markup_edits_;
}

std::string FakeTelegram::webhook_url(const std::string& token) {
  std::lock_guard lock(mutex_);
  return webhooks_[token].first;
}

std::vector<std::string> FakeTelegram::webhook_allowed_updates(const std::string& token) {
  std::lock_guard lock(mutex_);
  return allowed_updates_[token];
}

void FakeTelegram::set_webhook_allowed_updates(const std::string& token, std::vector<std::string> kinds) {
  std::lock_guard lock(mutex_);
  allowed_updates_[token] = std::move(kinds);
}

std::string FakeTelegram::webhook_secret(const std::string& token) {
  std::lock_guard lock(mutex_);
  return webhooks_[token].second;
}

void FakeTelegram::set_webhook_health(std::int64_t pending, const std::string& last_error,
                                      std::int64_t last_error_date) {
  std::lock_guard lock(mutex_);
  webhook_pending_ = pending;
  webhook_last_error_ = last_error;
  webhook_last_error_date_ = last_error_date;
}

int FakeTelegram::method_calls(const std::string& method) {
  std::lock_guard lock(mutex_);
  return calls_[method];
}

std::string FakeTelegram::text_update(std::int64_t chat_id, const std::string& first_name,
                                      const std::string& text) {
  return json::serialize(json::object{
      {"message",
       json::object{{"message_id", 1},
                    {"date", 1700000000},
                    {"from", json::object{{"id", chat_id}, {"is_bot", false}, {"first_name", first_name}}},
                    {"chat", json::object{{"id", chat_id}, {"type", "private"}, {"first_name", first_name}}},
                    {"text", text}}}});
}

std::string FakeTelegram::callback_update(std::int64_t chat_id, std::int64_t message_id,
                                          const std::string& data, const std::string& query_id) {
  return json::serialize(json::object{
      {"callback_query",
       json::object{{"id", query_id},
                    {"from", json::object{{"id", chat_id}, {"is_bot", false}, {"first_name", "Ada"}}},
                    {"message", json::object{{"message_id", message_id},
                                             {"date", 1700000000},
                                             {"chat", json::object{{"id", chat_id}, {"type", "private"}}},
                                             {"text", "an answer"}}},
                    {"chat_instance", "-4242"},
                    {"data", data}}}});
}

void FakeTelegram::handle(const testenv::HttpTestRequest& request, testenv::HttpTestConnection& c) {
  // "/bot<token>/<method>"
  const std::string& target = request.target;
  auto slash = target.find('/', 4);
  if (target.rfind("/bot", 0) != 0 || slash == std::string::npos) {
    return c.respond(404, "application/json", error(404, "Not Found"));
  }
  std::string token = target.substr(4, slash - 4);
  std::string method = target.substr(slash + 1);
  json::object body;
  if (!request.body.empty()) {
    boost::system::error_code ec;
    auto parsed = json::parse(request.body, ec);
    if (ec || !parsed.is_object()) return c.respond(400, "application/json", error(400, "Bad Request: bad JSON"));
    body = parsed.as_object();
  }
  std::unique_lock lock(mutex_);
  ++calls_[method];
  auto bot = bots_.find(token);
  if (bot == bots_.end()) {
    lock.unlock();
    return c.respond(401, "application/json", error(401, "Unauthorized"));
  }
  if (method == "getMe") {
    json::object me{{"id", bot->second.first}, {"is_bot", true}, {"first_name", "Fake"},
                    {"username", bot->second.second}};
    lock.unlock();
    return c.respond(200, "application/json", ok(me));
  }
  if (method == "getUpdates") {
    if (!webhooks_[token].first.empty()) {
      lock.unlock();
      return c.respond(409, "application/json",
                       error(409, "Conflict: can't use getUpdates method while webhook is active"));
    }
    std::int64_t offset = body.contains("offset") ? body["offset"].to_number<std::int64_t>() : 0;
    std::int64_t timeout = body.contains("timeout") ? body["timeout"].to_number<std::int64_t>() : 0;
    auto& queue = updates_[token];
    while (!queue.empty() && queue.front().first < offset) queue.pop_front();  // confirmed
    if (queue.empty() && timeout > 0) {
      updated_.wait_for(lock, std::chrono::seconds(std::min<std::int64_t>(timeout, 2)),
                        [&] { return stopping_.load() || !updates_[token].empty(); });
    }
    json::array result;
    for (const auto& [id, update] : updates_[token]) {
      if (id >= offset) result.push_back(json::parse(update));
    }
    lock.unlock();
    return c.respond(200, "application/json", ok(result));
  }
  if (method == "setWebhook") {
    webhooks_[token] = {body.contains("url") ? std::string(body["url"].as_string()) : "",
                        body.contains("secret_token") ? std::string(body["secret_token"].as_string()) : ""};
    auto& kinds = allowed_updates_[token];
    kinds.clear();
    if (const auto* allowed = body.if_contains("allowed_updates"); allowed && allowed->is_array()) {
      for (const auto& kind : allowed->as_array()) {
        if (kind.is_string()) kinds.emplace_back(kind.as_string());
      }
    }
    lock.unlock();
    return c.respond(200, "application/json", ok(true));
  }
  if (method == "deleteWebhook") {
    webhooks_.erase(token);
    allowed_updates_.erase(token);
    lock.unlock();
    return c.respond(200, "application/json", ok(true));
  }
  if (method == "getWebhookInfo") {
    if (fail_webhook_info) {
      lock.unlock();
      return c.respond(500, "application/json", error(500, "Internal Server Error"));
    }
    json::object info{{"url", webhooks_[token].first}, {"pending_update_count", webhook_pending_}};
    if (!allowed_updates_[token].empty()) {
      json::array kinds;
      for (const auto& kind : allowed_updates_[token]) kinds.emplace_back(kind);
      info["allowed_updates"] = std::move(kinds);
    }
    if (webhook_last_error_date_ > 0) {
      info["last_error_date"] = webhook_last_error_date_;
      info["last_error_message"] = webhook_last_error_;
    }
    lock.unlock();
    return c.respond(200, "application/json", ok(info));
  }
  if (method == "sendChatAction") {
    ++chat_actions_;
    lock.unlock();
    if (refuse_chat_action) return c.respond(400, "application/json", error(400, "Bad Request: nope"));
    return c.respond(200, "application/json", ok(true));
  }
  if (method == "sendMessage") {
    ++send_attempts_;
    if (!failures_.empty()) {
      auto failure = failures_.front();
      failures_.pop_front();
      lock.unlock();
      return c.respond(failure.status, "application/json",
                       error(failure.status, failure.description, failure.retry_after_s));
    }
    if (!body.contains("text") || !body["text"].is_string() || body["text"].as_string().empty()) {
      lock.unlock();
      return c.respond(400, "application/json", error(400, "Bad Request: message text is empty"));
    }
    std::string chat_id = body["chat_id"].is_int64() ? std::to_string(body["chat_id"].as_int64())
                                                      : json::serialize(body["chat_id"]);
    sent_.push_back(Sent{token, chat_id, std::string(body["text"].as_string()),
                         std::chrono::steady_clock::now(),
                         body.contains("reply_markup") ? json::serialize(body["reply_markup"]) : ""});
    json::object message{{"message_id", static_cast<std::int64_t>(sent_.size())},
                         {"date", 1700000000},
                         {"chat", json::object{{"id", body["chat_id"]}, {"type", "private"}}},
                         {"text", body["text"]}};
    lock.unlock();
    return c.respond(200, "application/json", ok(message));
  }
  if (method == "answerCallbackQuery") {
    const auto* id = body.if_contains("callback_query_id");
    if (!id || !id->is_string()) {
      lock.unlock();
      return c.respond(400, "application/json", error(400, "Bad Request: query is too old or query ID is invalid"));
    }
    const auto* text = body.if_contains("text");
    callback_answers_.push_back(CallbackAnswer{std::string(id->as_string()),
                                               text && text->is_string() ? std::string(text->as_string()) : ""});
    lock.unlock();
    return c.respond(200, "application/json", ok(true));
  }
  if (method == "editMessageReplyMarkup") {
    const auto* chat = body.if_contains("chat_id");
    const auto* message = body.if_contains("message_id");
    std::string chat_id = chat && chat->is_int64() ? std::to_string(chat->as_int64()) : "";
    std::int64_t message_id = message && message->is_int64() ? message->as_int64() : 0;
    std::string markup = body.contains("reply_markup") ? json::serialize(body["reply_markup"]) : "";
    if (message_id < 1 || message_id > static_cast<std::int64_t>(sent_.size()) ||
        sent_[static_cast<std::size_t>(message_id - 1)].chat_id != chat_id ||
        sent_[static_cast<std::size_t>(message_id - 1)].token != token) {
      lock.unlock();
      return c.respond(400, "application/json", error(400, "Bad Request: message to edit not found"));
    }
    auto& current = sent_[static_cast<std::size_t>(message_id - 1)].reply_markup;
    if (current == markup) {
      lock.unlock();
      return c.respond(400, "application/json",
                       error(400, "Bad Request: message is not modified: specified new message content and "
                                  "reply markup are exactly the same"));
    }
    current = markup;
    markup_edits_.push_back(MarkupEdit{chat_id, message_id, markup});
    lock.unlock();
    return c.respond(200, "application/json", ok(true));
  }
  lock.unlock();
  return c.respond(404, "application/json", error(404, "Not Found: method not found"));
}

}  // namespace botfactory::channel::testing_support
