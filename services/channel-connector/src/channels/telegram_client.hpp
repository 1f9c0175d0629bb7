#pragma once
// Calls of the Telegram Bot API over libs/http_client: `<base>/bot<token>/<method>` with a JSON
// body (https://core.telegram.org/bots/api#making-requests), and the classification of every
// answer into what a caller does next. The token is part of the URL: it is never logged, and
// errors carry only Telegram's description.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "botfactory/http_client/http_client.hpp"

namespace botfactory::channel::telegram {

/// The outcome of one call.
struct CallResult {
  enum class Kind {
    kOk,            // "ok": true; `result` holds the result JSON
    kRetry,         // network failure, 5xx or 429: try again later (retry_after_s when given)
    kBlocked,       // 403: the user blocked the bot (sendMessage) or it may not write there
    kUnauthorized,  // 401 / 404: the token is wrong or revoked
    kRejected,      // any other 4xx: the request is wrong; retrying cannot help
  };
  Kind kind = Kind::kRetry;
  long http_status = 0;
  int retry_after_s = 0;
  std::string description;  // Telegram's description or the transport failure, for humans
  std::string result;
};

/// A short description of `result` ("429 Too Many Requests: retry after 3", "connect timeout").
std::string describe(const CallResult& result);

/// Timeouts of one call (ms).
struct CallTimeouts {
  std::chrono::milliseconds connect{5000};
  std::chrono::milliseconds total{10000};
};

/// Thread-safe; `http` must outlive it.
class BotApiClient {
 public:
  /// `base_url` without the trailing slash (TELEGRAM_API_BASE_URL).
  BotApiClient(http::Client& http, std::string base_url);

  /// Starts `method` with JSON `body`; never blocks on the network.
  std::unique_ptr<http::Response> start(std::string_view token, std::string_view method,
                                        std::string body, CallTimeouts timeouts) const;
  /// Reads `response` to its end (bounded by its timeouts; at most 1 MiB kept) and classifies it.
  static CallResult finish(http::Response& response);
  /// Classifies a complete exchange: HTTP status, body, transport failure.
  static CallResult classify(long status, std::string_view body, http::Failure failure,
                             std::string_view failure_message);
  /// start() + finish().
  CallResult call(std::string_view token, std::string_view method, std::string body,
                  CallTimeouts timeouts = {}) const;

 private:
  http::Client& http_;
  std::string base_url_;
};

}  // namespace botfactory::channel::telegram
