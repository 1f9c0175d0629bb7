#pragma once
// Calls of the Meta Graph API for WhatsApp over libs/http_client:
// POST <META_GRAPH_BASE_URL>/<version>/<phone-number-id>/messages with a Bearer access token
// (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages), and the
// classification of the answer. The token travels in a header only: never logged.

#include <chrono>
#include <string>
#include <string_view>

#include "botfactory/http_client/http_client.hpp"

namespace botfactory::channel::whatsapp {

/// The outcome of one send.
struct SendResult {
  enum class Kind {
    kOk,             // 2xx; message_id = the wamid
    kRetry,          // network failure, 5xx or 429: try again later
    kWindowClosed,   // error 131047: outside the 24-hour customer-service window
    kUnauthorized,   // 401 (or error code 190): the access token is wrong or expired
    kRejected,       // any other 4xx: retrying cannot help
  };
  Kind kind = Kind::kRetry;
  long http_status = 0;
  std::string description;  // Meta's error message or the transport failure
  std::string message_id;
};

/// "400 (#131047) Re-engagement message" etc., ≤ 300 bytes.
std::string describe(const SendResult& result);

/// Thread-safe; `http` must outlive it.
class GraphClient {
 public:
  /// `base_url`: META_GRAPH_BASE_URL (trailing slashes dropped); `version`: META_GRAPH_API_VERSION
  /// ("v21.0").
  GraphClient(http::Client& http, std::string base_url, std::string version);

  /// Sends one text message (`text` ≤ 4096 characters) to `to` from `phone_number_id`.
  /// Connect 5 s, total 15 s. Never throws for network or HTTP errors.
  SendResult send_text(std::string_view phone_number_id, std::string_view access_token,
                       std::string_view to, std::string_view text) const;

  /// Instagram: one text message (≤ 1000 characters) to `recipient_id` (an IGSID) from the
  /// Instagram account `account_id` (POST /<version>/<account id>/messages, instagram_wire.hpp).
  SendResult send_instagram_text(std::string_view account_id, std::string_view access_token,
                                 std::string_view recipient_id, std::string_view text) const;

  /// Connect-time credential check: GET /<version>/<account_id>?fields=id with the Bearer token
  /// (https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account-to-number-current-status/
  /// for a phone number id, https://developers.facebook.com/docs/instagram-platform/reference/instagram-user
  /// for an Instagram account). kOk when Meta answers 2xx; kUnauthorized / kRejected on 4xx (a
  /// wrong token, or an id the token cannot see); kRetry on network errors, 5xx and 429.
  /// Connect 5 s, total 10 s. Never throws for network or HTTP errors.
  SendResult check_account(std::string_view account_id, std::string_view access_token) const;

  /// Classifies a complete exchange.
  static SendResult classify(long status, std::string_view body, http::Failure failure,
                             std::string_view failure_message);

 private:
  /// Runs `request` to its end and classifies the answer.
  SendResult exchange(http::Request request) const;
  SendResult post_messages(std::string_view account_id, std::string_view access_token, std::string body) const;

  http::Client& http_;
  std::string base_url_;
  std::string version_;
};

}  // namespace botfactory::channel::whatsapp
