#include <catch2/catch.hpp>

#include "botfactory/common/random.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/common/time.hpp"

using namespace botfactory::common;

TEST_CASE("UTF-8 validation follows RFC 3629") {
  CHECK(is_valid_utf8("hello"));
  CHECK(is_valid_utf8("Привет, o‘zbek"));
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(is_valid_utf8("abc\xE2\x82"));       // truncated
  CHECK(utf8_length("Привет") == 6);
}

TEST_CASE("control characters other than tab, LF and CR are found") {
  using namespace std::string_view_literals;
  CHECK(find_control_char("plain text\twith\r\nbreaks") == std::string_view::npos);
  CHECK(find_control_char("\xD0\x9F\xD1\x80\xD0\xB8 \xE2\x80\x94 ok") == std::string_view::npos);
  CHECK(find_control_char("a\0b"sv) == 1);
  CHECK(find_control_char("\x1B[31m") == 0);    // ESC
  CHECK(find_control_char("x\x7F") == 1);       // DEL
  CHECK(find_control_char("ab\xC2\x85") == 2);  // U+0085 NEL (C1)
  CHECK(find_control_char("\xC2\xA0") == std::string_view::npos);  // U+00A0 is not a control
  CHECK(find_control_char("\f") == 0);
  CHECK(find_control_char("") == std::string_view::npos);
}

TEST_CASE("trim and lower-case") {
  CHECK(trim("  hi \n") == "hi");
  CHECK(trim(" \t ").empty());
  CHECK(to_lower_ascii("AbC") == "abc");
}

TEST_CASE("random identifiers have the promised alphabet and length") {
  auto token = random_token(32);
  CHECK(token.size() == 43);
  CHECK(token.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
        std::string::npos);
  auto id = random_base62(16);
  CHECK(id.size() == 16);
  CHECK(random_token(32) != token);
  int n = random_int(1000, 9999);
  CHECK(n >= 1000);
  CHECK(n <= 9999);
  CHECK(sha256_hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("RFC 3339 UTC formatting") {
  CHECK(rfc3339_utc_from_micros(0) == "1970-01-01T00:00:00.000Z");
  CHECK(rfc3339_utc_from_micros(1795322431123456) == "2026-11-22T04:40:31.123Z");
}
