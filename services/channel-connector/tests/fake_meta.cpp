#include "fake_meta.hpp"

#include <algorithm>

#include <boost/json.hpp>

namespace botfactory::channel::testing_support {
namespace {
namespace json = boost::json;

std::string graph_error(long code, const std::string& message) {
  return json::serialize(json::object{
      {"error", json::object{{"message", message}, {"type", "OAuthException"}, {"code", code}}}});
}

}  // namespace

FakeMeta::FakeMeta()
    : server_(std::make_unique<testenv::HttpTestServer>(
          [this](const testenv::HttpTestRequest& r, testenv::HttpTestConnection& c) { handle(r, c); })) {}

FakeMeta::~FakeMeta() { server_.reset(); }

void FakeMeta::add_token(const std::string& token) {
  std::lock_guard lock(mutex_);
  tokens_.push_back(token);
}

void FakeMeta::fail_next(int status, long code, const std::string& message) {
  std::lock_guard lock(mutex_);
  failures_.push_back(Failure{status, code, message});
}

std::vector<FakeMeta::Sent> FakeMeta::sent() {
  std::lock_guard lock(mutex_);
  return sent_;
}

void FakeMeta::fail_account_checks(int status) { account_failure_ = status; }

void FakeMeta::handle_account(const testenv::HttpTestRequest& request, testenv::HttpTestConnection& c) {
  const std::string json_type = "application/json";
  ++account_checks_;
  // GET /<version>/<id>?fields=id with Authorization: Bearer <token>.
  auto path = request.target.substr(0, request.target.find('?'));
  auto slash = path.rfind('/');
  std::string id = slash == std::string::npos ? std::string() : path.substr(slash + 1);
  std::string token;
  if (auto it = request.headers.find("authorization"); it != request.headers.end() &&
                                                     it->second.rfind("Bearer ", 0) == 0) {
    token = it->second.substr(7);
  }
  if (int status = account_failure_.load()) {
    return c.respond(status, json_type, graph_error(1, "Please reduce the amount of data"));
  }
  std::unique_lock lock(mutex_);
  bool known = std::find(tokens_.begin(), tokens_.end(), token) != tokens_.end();
  lock.unlock();
  if (!known) {
    // Graph answers an invalid token with 400 OAuthException code 190.
    return c.respond(400, json_type, graph_error(190, "Invalid OAuth access token - Cannot parse access token"));
  }
  c.respond(200, json_type, json::serialize(json::object{{"id", id}}));
}

void FakeMeta::handle(const testenv::HttpTestRequest& request, testenv::HttpTestConnection& c) {
  const std::string json_type = "application/json";
  auto ends_with = [](const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
  };
  if (request.method == "GET") return handle_account(request, c);
  if (request.method != "POST" || !ends_with(request.target, "/messages")) {
    return c.respond(404, json_type, graph_error(100, "Unknown path"));
  }
  ++send_attempts_;
  std::string token;
  if (auto it = request.headers.find("authorization"); it != request.headers.end() &&
                                                     it->second.rfind("Bearer ", 0) == 0) {
    token = it->second.substr(7);
  }
  boost::system::error_code ec;
  auto body = json::parse(request.body, ec);
  std::unique_lock lock(mutex_);
  if (std::find(tokens_.begin(), tokens_.end(), token) == tokens_.end()) {
    lock.unlock();
    return c.respond(401, json_type, graph_error(190, "Invalid OAuth access token"));
  }
  // Instagram: {"recipient":{"id"},"message":{"text"}} → {"recipient_id","message_id"}.
  if (!ec && body.is_object() && body.as_object().contains("recipient") && body.as_object().contains("message")) {
    if (!failures_.empty()) {
      auto failure = failures_.front();
      failures_.pop_front();
      lock.unlock();
      return c.respond(failure.status, json_type, graph_error(failure.code, failure.message));
    }
    const auto& o = body.as_object();
    Sent sent{request.target, token, std::string(o.at("recipient").as_object().at("id").as_string()),
              std::string(o.at("message").as_object().at("text").as_string()),
              "mid.FAKE" + std::to_string(next_id_++)};
    sent_.push_back(sent);
    lock.unlock();
    return c.respond(200, json_type,
                     json::serialize(json::object{{"recipient_id", sent.to}, {"message_id", sent.wamid}}));
  }
  if (ec || !body.is_object() || !body.as_object().contains("to") || !body.as_object().contains("text")) {
    lock.unlock();
    return c.respond(400, json_type, graph_error(100, "Invalid parameter"));
  }
  if (!failures_.empty()) {
    auto failure = failures_.front();
    failures_.pop_front();
    lock.unlock();
    return c.respond(failure.status, json_type, graph_error(failure.code, failure.message));
  }
  const auto& o = body.as_object();
  Sent sent{request.target, token, std::string(o.at("to").as_string()),
            std::string(o.at("text").as_object().at("body").as_string()),
            "wamid.FAKE" + std::to_string(next_id_++)};
  sent_.push_back(sent);
  lock.unlock();
  c.respond(200, json_type,
            json::serialize(json::object{{"messaging_product", "whatsapp"},
                                         {"contacts", json::array{json::object{{"input", sent.to}, {"wa_id", sent.to}}}},
                                         {"messages", json::array{json::object{{"id", sent.wamid}}}}}));
}

}  // namespace botfactory::channel::testing_support
