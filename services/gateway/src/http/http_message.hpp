#pragma once
// Transport-neutral HTTP request/response for the REST layer (no Beast here), plus the helpers
// that turn a request target into a path and query parameters.

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace botfactory::gateway {

/// One REST request as the HTTP server hands it over.
struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded path, no query, e.g. "/api/v1/bots/1"
  std::map<std::string, std::string> query;  // decoded query parameters (last one wins)
  std::string authorization;                 // Authorization header value
  std::string content_type;                  // Content-Type header value
  std::string origin;                        // Origin header value (RFC 6454), "" when absent
  std::string body;
  std::string request_id;
  std::string client_ip;  // the client's key (client_key(), IPv6 by /64), for per-address limits
  std::string webhook_secret;  // X-Telegram-Bot-Api-Secret-Token / X-Hub-Signature-256 (webhooks only)
};

/// One REST response. `headers` are extra headers (e.g. Location).
struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Path and query of an origin-form request target (RFC 9112 section 3.2.1).
struct ParsedTarget {
  std::string path;
  std::map<std::string, std::string> query;
  bool ok = true;  // false: malformed percent-encoding, a decoded control character or '/'
};

/// Splits `target` at '?', percent-decodes the path and the query (also '+' as space in the
/// query, per application/x-www-form-urlencoded). A decoded control character other than tab,
/// LF, CR (common::find_control_char, e.g. %00) or an encoded '/' (%2F, which would split a
/// path segment in two) makes it not ok (400 bad_request).
ParsedTarget parse_target(std::string_view target);

/// Percent-decodes `text`; `plus_as_space` for query strings. False on a malformed escape.
bool percent_decode(std::string_view text, bool plus_as_space, std::string& out);

/// The token of an "Authorization: Bearer <token>" value (scheme case-insensitive), or "".
std::string_view bearer_token(std::string_view authorization);

}  // namespace botfactory::gateway
