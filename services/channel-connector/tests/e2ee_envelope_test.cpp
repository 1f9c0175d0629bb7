// The e2ee text grammar (e2ee_envelope.hpp) and the P-256 public key check (e2ee_public_key.hpp).

#include <catch2/catch.hpp>

#include <string>

#include "e2ee/e2ee_envelope.hpp"
#include "e2ee/e2ee_public_key.hpp"
#include "e2ee_test_keys.hpp"

using namespace botfactory::channel;
using namespace botfactory::channel::testing_support;

namespace {

const std::string kKeyId(22, 'k');
const std::string kIv = "AAAAAAAAAAAAAAAA";
const std::string kCt = "Q2lwaGVydGV4dENpcGhlcnRleHQ";  // 27 b64u chars

std::string envelope(const std::string& epoch, const std::string& key_id = kKeyId,
                     const std::string& iv = kIv, const std::string& ct = kCt) {
  return "e2ee.v1." + epoch + "." + key_id + "." + iv + "." + ct;
}

}  // namespace

TEST_CASE("e2ee envelope: the exact grammar") {
  const auto text = envelope("12");  // the parts are views into it
  auto parsed = parse_e2ee_envelope(text);
  REQUIRE(parsed);
  CHECK(parsed->epoch == 12);
  CHECK(parsed->key_id == kKeyId);
  CHECK(parsed->iv == kIv);
  CHECK(parsed->ciphertext == kCt);
  CHECK(parse_e2ee_envelope(envelope("2147483647")));
  CHECK(parse_e2ee_envelope(envelope("1", kKeyId, kIv, std::string(24000, 'x'))));

  CHECK_FALSE(parse_e2ee_envelope(""));
  CHECK_FALSE(parse_e2ee_envelope("hello world"));
  CHECK_FALSE(parse_e2ee_envelope("e2ee.v2." + envelope("1").substr(8)));
  CHECK_FALSE(parse_e2ee_envelope(envelope("0")));
  CHECK_FALSE(parse_e2ee_envelope(envelope("01")));
  CHECK_FALSE(parse_e2ee_envelope(envelope("-1")));
  CHECK_FALSE(parse_e2ee_envelope(envelope("2147483648")));
  CHECK_FALSE(parse_e2ee_envelope(envelope("99999999999")));
  CHECK_FALSE(parse_e2ee_envelope(envelope("1", std::string(21, 'k'))));
  CHECK_FALSE(parse_e2ee_envelope(envelope("1", std::string(23, 'k'))));
  CHECK_FALSE(parse_e2ee_envelope(envelope("1", std::string(21, 'k') + "=")));
  CHECK_FALSE(parse_e2ee_envelope(envelope("1", kKeyId, "AAAAAAAAAAAAAAA")));
  CHECK_FALSE(parse_e2ee_envelope(envelope("1", kKeyId, "AAAAAAAAAAAAAAA+")));
  CHECK_FALSE(parse_e2ee_envelope(envelope("1", kKeyId, kIv, std::string(21, 'x'))));
  CHECK_FALSE(parse_e2ee_envelope(envelope("1", kKeyId, kIv, std::string(24001, 'x'))));
  CHECK_FALSE(parse_e2ee_envelope(envelope("1", kKeyId, kIv, std::string(25, 'x'))));  // %4 == 1
  CHECK_FALSE(parse_e2ee_envelope(envelope("1", kKeyId, kIv, kCt + "=")));
  CHECK_FALSE(parse_e2ee_envelope(envelope("1", kKeyId, kIv, kCt + " ")));
  CHECK_FALSE(parse_e2ee_envelope(envelope("1") + ".x"));
  CHECK_FALSE(parse_e2ee_envelope(" " + envelope("1")));
  CHECK_FALSE(parse_e2ee_envelope("e2ee.v1.1." + kKeyId + "." + kIv));
  CHECK_FALSE(parse_e2ee_envelope(envelope("1", kKeyId, kIv, kCt + std::string("\0", 1))));
}

TEST_CASE("e2ee grammar: ids and wrapped keys") {
  CHECK(is_e2ee_id("abcdefghijklmnopqrst-_"));
  CHECK_FALSE(is_e2ee_id("abcdefghijklmnopqrst-"));
  CHECK_FALSE(is_e2ee_id("abcdefghijklmnopqrst-/"));
  CHECK(is_wrapped_key("abc.def_-.ghi"));
  CHECK(is_wrapped_key(std::string(1024, 'a')));
  CHECK_FALSE(is_wrapped_key(std::string(1025, 'a')));
  CHECK_FALSE(is_wrapped_key(""));
  CHECK_FALSE(is_wrapped_key("abc def"));
  CHECK_FALSE(is_wrapped_key("abc+def"));
}

TEST_CASE("e2ee public keys: P-256 points checked by OpenSSL") {
  auto key = fresh_p256_public_key();
  CHECK(key.size() == 87);
  CHECK(valid_p256_public_key(key));
  // Flip one bit of Y: (almost surely) not on the curve any more.
  std::string bad = key;
  bad[60] = bad[60] == 'A' ? 'B' : 'A';
  CHECK_FALSE(valid_p256_public_key(bad));
  unsigned char zeros[65] = {0x04};
  CHECK_FALSE(valid_p256_public_key(b64u(zeros, 65)));
  unsigned char compressed[65] = {0x02};
  CHECK_FALSE(valid_p256_public_key(b64u(compressed, 65)));
  CHECK_FALSE(valid_p256_public_key(key.substr(0, 86)));
  CHECK_FALSE(valid_p256_public_key(key + "A"));
  CHECK_FALSE(valid_p256_public_key(""));
  CHECK_FALSE(valid_p256_public_key(std::string(87, '!')));
}
