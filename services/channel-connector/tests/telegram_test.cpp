// Telegram text, wire parsing, answer classification, token shape and send rates (no I/O).
#include <catch2/catch.hpp>

#include "channel_bindings.hpp"
#include "channel_credentials.hpp"
#include "send_rate_limiter.hpp"
#include "telegram_client.hpp"
#include "telegram_text.hpp"
#include "telegram_wire.hpp"

using namespace botfactory::channel;
using Kind = telegram::CallResult::Kind;

TEST_CASE("utf16_units counts what Telegram counts") {
  CHECK(utf16_units("abc") == 3);
  CHECK(utf16_units("\xD0\xBF\xD1\x80") == 2);           // "пр"
  CHECK(utf16_units("\xF0\x9F\x98\x80") == 2);           // U+1F600: a surrogate pair
  CHECK(utf16_units("\xE2\x82\xAC") == 1);               // U+20AC
}

TEST_CASE("split_message cuts at sentence ends within the limit, never inside a code point") {
  CHECK(split_message("").empty());
  CHECK(split_message("short") == std::vector<std::string>{"short"});
  auto parts = split_message("One two three. Four five six. Seven eight nine.", 32);
  REQUIRE(parts.size() == 2);
  CHECK(parts[0] == "One two three. Four five six.");
  CHECK(parts[1] == "Seven eight nine.");
  // No spaces at all: cut at the limit on a code-point boundary.
  std::string emoji;
  for (int i = 0; i < 40; ++i) emoji += "\xF0\x9F\x98\x80";
  auto cut = split_message(emoji, 17);
  for (const auto& p : cut) {
    CHECK(utf16_units(p) <= 17);
    CHECK(p.size() % 4 == 0);
  }
  std::string joined;
  for (const auto& p : cut) joined += p;
  CHECK(joined == emoji);
  // A paragraph break wins over a sentence end.
  auto para = split_message("Alpha beta gamma.\n\nDelta epsilon. Zeta eta theta iota.", 30);
  CHECK(para[0] == "Alpha beta gamma.");
}

TEST_CASE("render_with_sources lists the cited documents") {
  CHECK(render_with_sources("x", {}) == "x");
  CHECK(render_with_sources("See [1] and [2].", {{"d1", "FAQ"}, {"d2", ""}}) ==
        "See [1] and [2].\n\nSources:\n[1] FAQ\n[2] document d2");
}

TEST_CASE("parse_update reads private text messages and tolerates everything else") {
  auto in = telegram::parse_update(
      R"({"update_id":5,"message":{"message_id":1,"from":{"id":9,"first_name":"Ada","last_name":"L","username":"ada"},"chat":{"id":9,"type":"private"},"text":"hi"}})");
  REQUIRE(in);
  CHECK(in->update_id == 5);
  CHECK(in->has_message);
  CHECK(in->chat_id == 9);
  CHECK(in->display_name == "Ada L");
  CHECK(in->text == "hi");
  auto anon = telegram::parse_update(R"({"update_id":6,"message":{"chat":{"id":-100,"type":"channel"}}})");
  REQUIRE(anon);
  CHECK(anon->display_name == "Telegram user -100");
  auto other = telegram::parse_update(R"({"update_id":7,"edited_message":{}})");
  REQUIRE(other);
  CHECK_FALSE(other->has_message);
  CHECK_FALSE(telegram::parse_update("[]"));
  CHECK_FALSE(telegram::parse_update(R"({"update_id":"7"})"));
  CHECK_FALSE(telegram::parse_update("{"));
  auto updates = telegram::split_updates(R"([{"update_id":1},{"x":1},{"update_id":3,"message":{}}])");
  REQUIRE(updates.size() == 2);
  CHECK(updates[1].update_id == 3);
}

TEST_CASE("answers are classified: retry on 5xx, 429 and network; never on other 4xx") {
  auto c = [](long status, const char* body) {
    return telegram::BotApiClient::classify(status, body, botfactory::http::Failure::kNone, "");
  };
  CHECK(c(200, R"({"ok":true,"result":{"id":1}})").kind == Kind::kOk);
  auto limited = c(429, R"({"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":7}})");
  CHECK(limited.kind == Kind::kRetry);
  CHECK(limited.retry_after_s == 7);
  CHECK(c(500, "oops").kind == Kind::kRetry);
  CHECK(c(502, "").kind == Kind::kRetry);
  CHECK(c(400, R"({"ok":false,"error_code":400,"description":"Bad Request"})").kind == Kind::kRejected);
  CHECK(c(403, R"({"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"})").kind == Kind::kBlocked);
  CHECK(c(401, R"({"ok":false,"error_code":401,"description":"Unauthorized"})").kind == Kind::kUnauthorized);
  auto cut = telegram::BotApiClient::classify(0, "", botfactory::http::Failure::kConnect, "connect");
  CHECK(cut.kind == Kind::kRetry);
  CHECK(telegram::describe(limited) == "429 Too Many Requests (retry after 7 s)");
}

TEST_CASE("token shape, credential masking and sealing") {
  CHECK(telegram_token_shape_ok("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"));
  CHECK_FALSE(telegram_token_shape_ok("123456789AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"));
  CHECK_FALSE(telegram_token_shape_ok("abc:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"));
  CHECK_FALSE(telegram_token_shape_ok("123:AAH dqTcvCH1vGWJxfSeofSAs0K5PALDsaw"));
  CHECK_FALSE(telegram_token_shape_ok("123:/../../etc/passwd00000000000000"));
  CHECK(mask_last_four("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw") == "Dsaw");
  CHECK(mask_last_four("short") == "");
  botfactory::crypto::SecretBox box(std::string(32, 'z'));
  auto sealed = seal_credentials(box, ChannelCredentials{"123:tok", "sec"});
  CHECK(sealed.ciphertext.find("123:tok") == std::string::npos);
  auto opened = open_credentials(box, sealed);
  CHECK(opened.token == "123:tok");
  CHECK(opened.webhook_secret == "sec");
  CHECK_THROWS(parse_credentials(R"({"token":1})"));
}

TEST_CASE("send rates: one message a second per chat, 30 a second per bot") {
  SendRateLimiter limiter(SendRates{30, std::chrono::milliseconds(1000)});
  auto t0 = SendRateLimiter::Clock::time_point{} + std::chrono::hours(1);
  CHECK(limiter.reserve("bot", "chat-1", t0).count() == 0);
  auto wait = limiter.reserve("bot", "chat-1", t0 + std::chrono::milliseconds(300));
  CHECK(wait == std::chrono::milliseconds(700));
  CHECK(limiter.reserve("bot", "chat-1", t0 + std::chrono::milliseconds(1000)).count() == 0);
  // 29 more chats in the same second fill the bot's 30.
  for (int i = 2; i <= 30; ++i) {
    CHECK(limiter.reserve("bot", "chat-" + std::to_string(i), t0 + std::chrono::milliseconds(1000)).count() == 0);
  }
  CHECK(limiter.reserve("bot", "chat-99", t0 + std::chrono::milliseconds(1100)) ==
        std::chrono::milliseconds(900));
  CHECK(limiter.reserve("other-bot", "chat-99", t0 + std::chrono::milliseconds(1100)).count() == 0);
  CHECK(limiter.reserve("bot", "chat-99", t0 + std::chrono::milliseconds(2001)).count() == 0);
}
