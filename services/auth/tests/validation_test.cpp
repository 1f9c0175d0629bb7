#include <catch2/catch.hpp>

#include "password_hasher.hpp"
#include "validation.hpp"

using namespace botfactory::auth;

TEST_CASE("emails are normalized and validated") {
  CHECK(normalize_email("  Alice@Example.COM ") == "alice@example.com");
  CHECK_FALSE(email_problem("alice@example.com"));
  CHECK_FALSE(email_problem("a.b+tag@mail.example.co.uk"));
  CHECK(email_problem(""));
  CHECK(email_problem("alice"));
  CHECK(email_problem("alice@localhost"));
  CHECK(email_problem("@example.com"));
  CHECK(email_problem("a@b@example.com"));
  CHECK(email_problem("alice@.com"));
  CHECK(email_problem("alice@example."));
  CHECK(email_problem("ali ce@example.com"));
  CHECK(email_problem("alice@exa\x01mple.com"));
  CHECK(email_problem("\xff@example.com"));
  std::string longest = std::string(242, 'a') + "@example.com";  // 254 bytes
  CHECK_FALSE(email_problem(longest));
  CHECK(email_problem("a" + longest));
}

TEST_CASE("usernames are 3..32 characters of [A-Za-z0-9_.-]") {
  CHECK_FALSE(username_problem("bob"));
  CHECK_FALSE(username_problem("Bob_the.builder-42"));
  CHECK_FALSE(username_problem(std::string(32, 'x')));
  CHECK(username_problem("ab"));
  CHECK(username_problem(std::string(33, 'x')));
  CHECK(username_problem("bob smith"));
  CHECK(username_problem("bob@home"));
  CHECK(username_problem("\xd0\xb1\xd0\xbe\xd0\xb1"));  // "боб": letters, but not ASCII
}

TEST_CASE("passwords are 8..256 bytes of UTF-8") {
  CHECK_FALSE(password_problem("12345678"));
  CHECK_FALSE(password_problem(std::string(256, 'p')));
  CHECK_FALSE(password_problem("\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c"));  // "пароль", 12 bytes
  CHECK(password_problem("1234567"));
  CHECK(password_problem(std::string(257, 'p')));
  CHECK(password_problem("abcdefgh\xc3"));  // truncated sequence
}

TEST_CASE("Argon2id hashes verify only the right password") {
  PasswordHasher hasher(PasswordHashCost::min());
  auto hash = hasher.hash("correct horse");
  CHECK(hash.rfind("$argon2id$", 0) == 0);
  CHECK(hash.find("correct horse") == std::string::npos);
  CHECK(hasher.verify("correct horse", hash));
  CHECK_FALSE(hasher.verify("correct horsE", hash));
  CHECK_FALSE(hasher.verify("correct horse", "not a hash"));
  CHECK(hasher.hash("correct horse") != hash);  // salted
}
