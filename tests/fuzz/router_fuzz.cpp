// Fuzz target: the REST request target → route path (services/gateway/src/http/http_message.*
// parse_target / percent_decode, RFC 3986 section 2.1; services/gateway/src/http/router.*
// match_route) and the Authorization header's bearer token.
// Input: byte 0 picks the method; the rest is the request target as sent on the request line.
// Properties:
// - decoding never grows the text; a target without '%' decodes to itself;
// - a found route has one non-empty parameter without '/' per "{…}" of its pattern;
// - 405 carries the allowed methods, never the one asked; the upload check agrees with the
//   route;
// - a bearer token is a piece of the header without surrounding spaces;
// - harden: every query value read as an integer (rest/query_params.*) is taken only when it is
//   all ASCII digits, in range, and prints back as itself without its leading zeros.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "http/http_message.hpp"
#include "http/router.hpp"
#include "rest/query_params.hpp"

namespace gw = botfactory::gateway;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  constexpr std::array<std::string_view, 8> kMethods = {"GET",  "POST", "PATCH",   "DELETE",
                                                        "PUT",  "HEAD", "OPTIONS", "get"};
  std::string_view method = kMethods[data[0] % kMethods.size()];
  std::string_view target(reinterpret_cast<const char*>(data) + 1, size - 1);

  std::string decoded;
  bool decoded_ok = gw::percent_decode(target, false, decoded);
  if (decoded_ok) {
    FUZZ_CHECK(decoded.size() <= target.size());
    if (target.find('%') == std::string_view::npos) FUZZ_CHECK(decoded == target);
  }

  auto parsed = gw::parse_target(target);
  FUZZ_CHECK(parsed.path.size() <= target.size());
  for (const auto& [key, value] : parsed.query) FUZZ_CHECK(key.size() + value.size() <= target.size());

  for (const auto& [key, value] : parsed.query) {
    auto number = gw::parse_decimal(value, 0, INT64_MAX);
    bool digits = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
    if (!digits) FUZZ_CHECK(!number);
    if (number) {
      auto significant = value.find_first_not_of('0');
      FUZZ_CHECK(std::to_string(*number) ==
                 (significant == std::string::npos ? std::string("0") : value.substr(significant)));
      FUZZ_CHECK(gw::parse_decimal(value, *number, *number) == number);
      if (*number > 0) FUZZ_CHECK(!gw::parse_decimal(value, 0, *number - 1));
    }
  }

  auto match = gw::match_route(method, parsed.path);
  std::size_t placeholders = 0;
  for (char c : match.pattern) placeholders += c == '{';
  switch (match.kind) {
    case gw::RouteMatch::Kind::kFound:
      FUZZ_CHECK(match.params.size() == placeholders);
      for (const auto& param : match.params) {
        FUZZ_CHECK(!param.empty() && param.find('/') == std::string::npos);
      }
      FUZZ_CHECK(match.allow.empty());
      break;
    case gw::RouteMatch::Kind::kMethodNotAllowed:
      FUZZ_CHECK(!match.allow.empty());
      for (std::string_view allow = match.allow; !allow.empty();) {
        auto comma = allow.find(", ");
        FUZZ_CHECK(allow.substr(0, comma) != method);
        allow = comma == std::string_view::npos ? std::string_view() : allow.substr(comma + 2);
      }
      break;
    case gw::RouteMatch::Kind::kNotFound:
      FUZZ_CHECK(match.params.empty());
      break;
  }
  FUZZ_CHECK(gw::is_upload_route(method, parsed.path) ==
             (match.kind == gw::RouteMatch::Kind::kFound &&
              match.endpoint == gw::Endpoint::kAddKnowledge));

  auto token = gw::bearer_token(target);
  if (!token.empty()) {
    FUZZ_CHECK(token.front() != ' ' && token.back() != ' ');
    FUZZ_CHECK(token.data() >= target.data() &&
               token.data() + token.size() <= target.data() + target.size());
  }
  return 0;
}
