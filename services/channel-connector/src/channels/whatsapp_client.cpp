#include "channels/whatsapp_client.hpp"

#include "channels/instagram_wire.hpp"
#include "channels/whatsapp_wire.hpp"

namespace botfactory::channel::whatsapp {
namespace {

constexpr std::size_t kMaxBodyBytes = 1 << 20;

}  // namespace

std::string describe(const SendResult& result) {
  std::string out;
  if (result.http_status) out = std::to_string(result.http_status) + " ";
  out += result.description.empty() ? "error" : result.description;
  return out.substr(0, 300);
}

GraphClient::GraphClient(http::Client& http, std::string base_url, std::string version)
    : http_(http), base_url_(std::move(base_url)), version_(std::move(version)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

SendResult GraphClient::send_text(std::string_view phone_number_id, std::string_view access_token,
                                  std::string_view to, std::string_view text) const {
  return post_messages(phone_number_id, access_token, send_text_body(to, text));
}

SendResult GraphClient::send_instagram_text(std::string_view account_id, std::string_view access_token,
                                            std::string_view recipient_id, std::string_view text) const {
  return post_messages(account_id, access_token, instagram::send_text_body(recipient_id, text));
}

SendResult GraphClient::post_messages(std::string_view account_id, std::string_view access_token,
                                      std::string payload) const {
  http::Request request;
  request.method = "POST";
  request.url = base_url_ + "/" + version_ + "/" + std::string(account_id) + "/messages";
  request.headers = {"Content-Type: application/json",
                     "Authorization: Bearer " + std::string(access_token)};
  request.body = std::move(payload);
  request.connect_timeout = std::chrono::milliseconds(5000);
  request.first_byte_timeout = std::chrono::milliseconds(15000);
  request.total_timeout = std::chrono::milliseconds(15000);
  return exchange(std::move(request));
}

SendResult GraphClient::check_account(std::string_view account_id, std::string_view access_token) const {
  http::Request request;
  request.method = "GET";
  request.url = base_url_ + "/" + version_ + "/" + std::string(account_id) + "?fields=id";
  request.headers = {"Authorization: Bearer " + std::string(access_token)};
  request.connect_timeout = std::chrono::milliseconds(5000);
  request.first_byte_timeout = std::chrono::milliseconds(10000);
  request.total_timeout = std::chrono::milliseconds(10000);
  return exchange(std::move(request));
}

SendResult GraphClient::exchange(http::Request request) const {
  auto response = http_.start(std::move(request));
  std::string body, chunk;
  for (;;) {
    auto read = response->read(chunk, std::chrono::milliseconds(1000));
    if (read == http::Response::Read::kData) {
      if (body.size() < kMaxBodyBytes) body += chunk;
      continue;
    }
    if (read == http::Response::Read::kWaiting) continue;  // the request's own timeouts end it
    if (read == http::Response::Read::kEnd) return classify(response->status(), body, http::Failure::kNone, "");
    return classify(response->status(), body, response->failure(), http::failure_name(response->failure()));
  }
}

SendResult GraphClient::classify(long status, std::string_view body, http::Failure failure,
                                 std::string_view failure_message) {
  SendResult result;
  if (failure != http::Failure::kNone) {
    result.kind = SendResult::Kind::kRetry;
    result.description = std::string(failure_message);
    return result;
  }
  result.http_status = status;
  if (status >= 200 && status < 300) {
    result.message_id = sent_message_id(body);  // WhatsApp: messages[0].id
    if (result.message_id.empty()) result.message_id = instagram::sent_message_id(body);
    result.kind = SendResult::Kind::kOk;
    return result;
  }
  auto error = parse_graph_error(body);
  result.description = error.code ? "(#" + std::to_string(error.code) + ") " + error.message : error.message;
  if (error.code == kReengagementError) {
    result.kind = SendResult::Kind::kWindowClosed;
  } else if (status == 429 || status >= 500 || status < 400) {
    result.kind = SendResult::Kind::kRetry;
  } else if (status == 401 || error.code == 190) {
    result.kind = SendResult::Kind::kUnauthorized;
  } else {
    result.kind = SendResult::Kind::kRejected;
  }
  return result;
}

}  // namespace botfactory::channel::whatsapp
