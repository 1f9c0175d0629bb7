#include "channels/telegram_client.hpp"

#include "channels/telegram_wire.hpp"

namespace botfactory::channel::telegram {
namespace {

constexpr std::size_t kMaxBodyBytes = 1 << 20;

}  // namespace

std::string describe(const CallResult& result) {
  std::string out;
  if (result.http_status) out = std::to_string(result.http_status) + " ";
  out += result.description.empty() ? "error" : result.description;
  if (result.retry_after_s > 0) out += " (retry after " + std::to_string(result.retry_after_s) + " s)";
  return out.substr(0, 300);
}

BotApiClient::BotApiClient(http::Client& http, std::string base_url)
    : http_(http), base_url_(std::move(base_url)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

std::unique_ptr<http::Response> BotApiClient::start(std::string_view token, std::string_view method,
                                                    std::string body, CallTimeouts timeouts) const {
  http::Request request;
  request.method = "POST";
  request.url = base_url_ + "/bot" + std::string(token) + "/" + std::string(method);
  request.headers = {"Content-Type: application/json"};
  request.body = std::move(body);
  request.connect_timeout = timeouts.connect;
  request.first_byte_timeout = timeouts.total;
  request.total_timeout = timeouts.total;
  return http_.start(std::move(request));
}

CallResult BotApiClient::finish(http::Response& response) {
  std::string body, chunk;
  for (;;) {
    auto read = response.read(chunk, std::chrono::milliseconds(1000));
    if (read == http::Response::Read::kData) {
      if (body.size() < kMaxBodyBytes) body += chunk;
      continue;
    }
    if (read == http::Response::Read::kWaiting) continue;  // the request's own timeouts end it
    if (read == http::Response::Read::kEnd) {
      return classify(response.status(), body, http::Failure::kNone, "");
    }
    return classify(response.status(), body, response.failure(), http::failure_name(response.failure()));
  }
}

CallResult BotApiClient::classify(long status, std::string_view body, http::Failure failure,
                                  std::string_view failure_message) {
  CallResult result;
  result.http_status = status;
  if (failure != http::Failure::kNone) {
    result.kind = CallResult::Kind::kRetry;
    result.http_status = 0;
    result.description = std::string(failure_message);
    return result;
  }
  auto answer = parse_answer(body);
  if (answer) {
    result.description = answer->description;
    result.retry_after_s = answer->retry_after_s;
    if (answer->ok && status >= 200 && status < 300) {
      result.kind = CallResult::Kind::kOk;
      result.result = std::move(answer->result);
      return result;
    }
  } else {
    result.description = "unexpected answer";
  }
  int code = static_cast<int>(status);
  if (answer && answer->error_code >= 400 && (code < 400 || code == 200)) code = answer->error_code;
  result.http_status = code;
  if (code == 429 || code >= 500 || code < 400) {
    result.kind = CallResult::Kind::kRetry;
  } else if (code == 403) {
    result.kind = CallResult::Kind::kBlocked;
  } else if (code == 401 || code == 404) {
    result.kind = CallResult::Kind::kUnauthorized;
  } else {
    result.kind = CallResult::Kind::kRejected;
  }
  return result;
}

CallResult BotApiClient::call(std::string_view token, std::string_view method, std::string body,
                              CallTimeouts timeouts) const {
  auto response = start(token, method, std::move(body), timeouts);
  return finish(*response);
}

}  // namespace botfactory::channel::telegram
