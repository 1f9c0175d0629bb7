// SecretBox (libs/crypto): libsodium secretbox sealing of provider keys / channel credentials and
// secret decoding (PROVIDER_KEYS_SECRET, CHANNEL_CREDENTIALS_SECRET).
#include <catch2/catch.hpp>

#include <cstdlib>

#include "botfactory/common/config.hpp"
#include "botfactory/crypto/secret_box.hpp"

using KeyCipher = botfactory::crypto::SecretBox;
using KeyDecryptError = botfactory::crypto::DecryptError;

namespace {

/// Sets (or with nullptr unsets) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old, had_ = true;
    value ? setenv(name, value, 1) : unsetenv(name);
  }
  ~ScopedEnv() { had_ ? setenv(name_, old_.c_str(), 1) : unsetenv(name_); }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

}  // namespace

TEST_CASE("KeyCipher: seal and open, a fresh nonce each time, tampering and other keys refused") {
  KeyCipher cipher(std::string(32, 'a'));
  auto one = cipher.seal("sk-secret-value");
  auto two = cipher.seal("sk-secret-value");
  CHECK(one.nonce.size() == 24);
  CHECK(one.ciphertext.size() == std::string("sk-secret-value").size() + 16);
  CHECK(one.nonce != two.nonce);
  CHECK(one.ciphertext != two.ciphertext);
  CHECK(one.ciphertext.find("sk-secret") == std::string::npos);
  CHECK(cipher.open(one) == "sk-secret-value");

  KeyCipher other(std::string(32, 'b'));
  CHECK_THROWS_AS(other.open(one), KeyDecryptError);
  auto altered = one;
  altered.ciphertext[0] = static_cast<char>(altered.ciphertext[0] ^ 1);
  CHECK_THROWS_AS(cipher.open(altered), KeyDecryptError);
  altered = one;
  altered.nonce.pop_back();
  CHECK_THROWS_AS(cipher.open(altered), KeyDecryptError);
  CHECK_THROWS_AS(KeyCipher(std::string(31, 'a')), std::invalid_argument);
}

TEST_CASE("KeyCipher: PROVIDER_KEYS_SECRET is 64 hex characters or base64 of 32 bytes") {
  const std::string hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  const std::string raw = KeyCipher::decode_secret(hex);
  REQUIRE(raw.size() == 32);
  CHECK(raw[31] == '\x1f');
  CHECK(KeyCipher::decode_secret("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=") == raw);
  CHECK(KeyCipher::decode_secret("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8") == raw);
  CHECK_THROWS_WITH(KeyCipher::decode_secret("not-hex-but-long-enough-0123456789abcdef", "PROVIDER_KEYS_SECRET"),
                    Catch::Contains("must be 64 hex characters or base64 of 32 bytes"));
  CHECK_THROWS(KeyCipher::decode_secret(hex.substr(0, 62) + "zz"));
  CHECK_THROWS(KeyCipher::decode_secret("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg=="));  // 31 bytes

  ScopedEnv dev("BOTFACTORY_INSECURE_DEV", nullptr);
  {
    ScopedEnv secret("PROVIDER_KEYS_SECRET", hex.c_str());
    auto cipher = KeyCipher::from_env("PROVIDER_KEYS_SECRET");
    CHECK(KeyCipher(raw).open(cipher->seal("x-value")) == "x-value");
  }
  {
    ScopedEnv secret("PROVIDER_KEYS_SECRET", nullptr);
    CHECK_THROWS_WITH(KeyCipher::from_env("PROVIDER_KEYS_SECRET"), Catch::StartsWith("PROVIDER_KEYS_SECRET is not set"));
  }
  {
    ScopedEnv secret("PROVIDER_KEYS_SECRET", "not-hex-but-long-enough-0123456789abcdef");
    CHECK_THROWS_AS(KeyCipher::from_env("PROVIDER_KEYS_SECRET"), botfactory::common::ConfigError);
  }
  {
    // Development mode: any text is hashed into a key (with a warning), never refused.
    ScopedEnv on("BOTFACTORY_INSECURE_DEV", "1");
    ScopedEnv secret("PROVIDER_KEYS_SECRET", nullptr);
    auto cipher = KeyCipher::from_env("PROVIDER_KEYS_SECRET");
    CHECK(cipher->open(cipher->seal("dev")) == "dev");
  }
}
