// harden: the one integer query-parameter parser (rest/query_params.hpp): strict ASCII decimal,
// range, overflow, and the one error text. No network.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "http/api_error.hpp"
#include "http/http_message.hpp"
#include "rest/query_params.hpp"

using namespace botfactory::gateway;

namespace {

/// A request whose target carried `raw_query` (decoded as the server decodes it).
HttpRequest with_query(const std::string& raw_query) {
  HttpRequest request;
  request.query = parse_target("/api/v1/x?" + raw_query).query;
  return request;
}

}  // namespace

TEST_CASE("parse_decimal takes ASCII digits only, within the range") {
  CHECK(parse_decimal("0", 0, 10) == 0);
  CHECK(parse_decimal("10", 0, 10) == 10);
  CHECK(parse_decimal("007", 0, 10) == 7);  // leading zeros are digits
  CHECK(parse_decimal("9223372036854775807", 0, INT64_MAX) == INT64_MAX);
  CHECK_FALSE(parse_decimal("11", 0, 10));  // over hi
  CHECK_FALSE(parse_decimal("0", 1, 10));   // under lo
  CHECK_FALSE(parse_decimal("9223372036854775808", 0, INT64_MAX));  // overflows int64
  CHECK_FALSE(parse_decimal("99999999999999999999999", 0, INT64_MAX));
  // Everything std::stoll or std::from_chars took beyond plain digits:
  for (const std::string& bad : std::vector<std::string>{"", "+5", "-5", "-0", " 5", "5 ", "\t5", "5\n", "0x5", "5e1", "5.0", "1_000",
                          "1,000", "٥", "５", std::string("5\0", 2)}) {
    INFO("'" << bad << "'");
    CHECK_FALSE(parse_decimal(bad, INT64_MIN, INT64_MAX));
  }
}

TEST_CASE("query_int: absent or empty gives the fallback, anything else must parse") {
  CHECK(query_int(with_query(""), "limit", 50, 1, 200) == 50);
  CHECK(query_int(with_query("limit="), "limit", 50, 1, 200) == 50);
  CHECK(query_int(with_query("limit=200&days=3"), "limit", 50, 1, 200) == 200);
  CHECK(query_int(with_query("since_seq=0"), "since_seq", 0, 0, INT64_MAX) == 0);
  // "+5" and " 5" (std::stoll took them) are refused, encoded or not; '+' decodes to a space.
  for (std::string raw : {"limit=%2B5", "limit=+5", "limit=%205", "limit=5%20", "limit=-1",
                          "limit=0", "limit=201", "limit=abc", "limit=1e2"}) {
    INFO(raw);
    try {
      query_int(with_query(raw), "limit", 50, 1, 200);
      FAIL("accepted");
    } catch (const ApiError& e) {
      CHECK(e.status() == 400);
      CHECK(e.code() == "validation_failed");
      CHECK(std::string(e.what()) == "limit must be an integer in 1..200");
    }
  }
  CHECK(integer_range_message("since_seq", 0, INT64_MAX) ==
        "since_seq must be an integer in 0..9223372036854775807");
}
