// common::is_uuid / is_hex_digit (libs/common) and rpc::require_tenant (libs/rpc), the id
// checks every service shares.
#include <catch2/catch.hpp>

#include <string>

#include "botfactory/common/ids.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/tenant.hpp"

using botfactory::common::is_hex_digit;
using botfactory::common::is_uuid;

TEST_CASE("is_uuid accepts the 8-4-4-4-12 hex form in either case") {
  CHECK(is_uuid("123e4567-e89b-12d3-a456-426614174000"));
  CHECK(is_uuid("123E4567-E89B-12D3-A456-426614174000"));
  CHECK(is_uuid("0e8c4a39-0B4E-4a56-8b0c-7F5F0b1b0002"));  // mixed case
  CHECK(is_uuid("00000000-0000-0000-0000-000000000000"));  // nil UUID (RFC 9562 5.9)
}

TEST_CASE("is_uuid refuses other spellings and malformed text") {
  CHECK_FALSE(is_uuid(""));
  CHECK_FALSE(is_uuid("not-a-uuid"));
  CHECK_FALSE(is_uuid("123e4567e89b12d3a456426614174000"));        // no dashes
  CHECK_FALSE(is_uuid("{123e4567-e89b-12d3-a456-426614174000}"));  // braces
  CHECK_FALSE(is_uuid("urn:uuid:123e4567-e89b-12d3-a456-426614174000"));
  CHECK_FALSE(is_uuid("123e4567-e89b-12d3-a456-42661417400"));     // one digit short
  CHECK_FALSE(is_uuid("123e4567-e89b-12d3-a456-4266141740000"));   // one digit long
  CHECK_FALSE(is_uuid("123e4567-e89b-12d3-a456-42661417400g"));    // non-hex digit
  CHECK_FALSE(is_uuid("g23e4567-e89b-12d3-a456-426614174000"));
  CHECK_FALSE(is_uuid("123e4567xe89b-12d3-a456-426614174000"));    // separator not '-'
  CHECK_FALSE(is_uuid("123e456-7e89b-12d3-a456-426614174000"));    // dash in the wrong slot
  CHECK_FALSE(is_uuid(" 23e4567-e89b-12d3-a456-426614174000"));
  CHECK_FALSE(is_uuid(std::string("123e4567-e89b-12d3-a456-42661417400\0", 36)));  // NUL
  CHECK_FALSE(is_uuid("123e4567-e89b-12d3-a456-426614174000' OR 1=1"));
}

TEST_CASE("random_uuid gives distinct version 4 UUIDs that is_uuid accepts") {
  auto a = botfactory::common::random_uuid();
  auto b = botfactory::common::random_uuid();
  CHECK(is_uuid(a));
  CHECK(a != b);
  CHECK(a[14] == '4');                                     // version
  CHECK(std::string("89ab").find(a[19]) != std::string::npos);  // variant 10xx
  CHECK(a == botfactory::common::to_lower_ascii(a));
}

TEST_CASE("is_hex_digit is ASCII 0-9, a-f, A-F only") {
  for (char c : std::string("0123456789abcdefABCDEF")) CHECK(is_hex_digit(c));
  for (char c : std::string("gG/:@`-x \0\xC3", 12)) CHECK_FALSE(is_hex_digit(c));
}

TEST_CASE("rpc::require_tenant refuses an empty or malformed tenant with INVALID_ARGUMENT") {
  auto message_of = [](std::string_view tenant) -> std::string {
    try {
      botfactory::rpc::require_tenant(tenant);
    } catch (const botfactory::rpc::StatusError& e) {
      CHECK(e.code() == grpc::StatusCode::INVALID_ARGUMENT);
      return e.what();
    }
    return "accepted";
  };
  CHECK(message_of("123e4567-e89b-12d3-a456-426614174000") == "accepted");
  CHECK(message_of("") == "tenant_id is required");
  CHECK(message_of("t-1") == "tenant_id must be a UUID");
  CHECK(message_of("123e4567-e89b-12d3-a456-426614174000' OR 1=1") == "tenant_id must be a UUID");
}
