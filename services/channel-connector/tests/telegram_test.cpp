// Telegram text, wire parsing, answer classification, token shape and send rates (no I/O).
#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "channels/channel_bindings.hpp"
#include "channels/channel_credentials.hpp"
#include "channels/send_rate_limiter.hpp"
#include "channels/telegram_client.hpp"
#include "channels/telegram_text.hpp"
#include "channels/telegram_wire.hpp"
#include "pipeline/bot_phrases.hpp"

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
  // The extractive answer names its source itself: not listed twice.
  const std::string extractive = "Masks hide your address.\n\nSource: \u201cRelay FAQ\u201d";
  CHECK(render_with_sources(extractive, {{"d1", "Relay FAQ"}}) == extractive);
  // A title the text does not name, or [n] citations: the list stays.
  CHECK(render_with_sources(extractive, {{"d1", "Relay FAQ"}, {"d2", "Other"}}) ==
        extractive + "\n\nSources:\n[1] Relay FAQ\n[2] Other");
  CHECK(render_with_sources("Relay FAQ says so [1].", {{"d1", "Relay FAQ"}}) ==
        "Relay FAQ says so [1].\n\nSources:\n[1] Relay FAQ");
}

TEST_CASE("render_with_sources titles the list in the bot's language") {
  std::vector<CitedSource> one{{"d1", "FAQ"}};
  CHECK(render_with_sources("Да [1].", one, "ru") == "Да [1].\n\nИсточники:\n[1] FAQ");
  CHECK(render_with_sources("Ha [1].", one, "uz") == "Ha [1].\n\nManbalar:\n[1] FAQ");
  CHECK(render_with_sources("Yes [1].", one, "en") == "Yes [1].\n\nSources:\n[1] FAQ");
  // Unknown or missing (operator rows, rows from before V007): English.
  CHECK(render_with_sources("Oui [1].", one, "fr") == "Oui [1].\n\nSources:\n[1] FAQ");
  CHECK(render_with_sources("Yes [1].", one, "") == "Yes [1].\n\nSources:\n[1] FAQ");
  CHECK(render_with_sources("x", {}, "ru") == "x");
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

TEST_CASE("send rates: spacing of 1000/limit ms per bot and per_chat_interval per chat, plus margin") {
  using std::chrono::milliseconds;
  SendRateLimiter limiter(SendRates{30, milliseconds(1000)});
  // 1 s / 30 = 33 334 µs (rounded up), + 5 % = 35 001 µs; 1000 ms + 5 % = 1050 ms.
  CHECK(limiter.bot_spacing() == std::chrono::microseconds(35001));
  CHECK(limiter.chat_spacing() == std::chrono::microseconds(1050000));
  auto t0 = SendRateLimiter::Clock::time_point{} + std::chrono::hours(1);
  CHECK(limiter.reserve("bot", "chat-1", t0).count() == 0);
  CHECK(limiter.reserve("bot", "chat-1", t0 + milliseconds(300)) == milliseconds(750));
  // Another chat of the same bot waits for the bot's spacing, not the chat's.
  CHECK(limiter.reserve("bot", "chat-2", t0 + milliseconds(10)) == milliseconds(26));
  CHECK(limiter.reserve("bot", "chat-2", t0 + milliseconds(36)).count() == 0);
  // A window count would let 29 more go at once here; the spacing lets none.
  CHECK(limiter.reserve("bot", "chat-3", t0 + milliseconds(36)).count() > 0);
  CHECK(limiter.reserve("other-bot", "chat-3", t0 + milliseconds(36)).count() == 0);
  CHECK(limiter.reserve("bot", "chat-1", t0 + milliseconds(1050)).count() == 0);
  SendRateLimiter off(SendRates{0, milliseconds(0)});
  for (int i = 0; i < 100; ++i) CHECK(off.reserve("bot", "chat", t0).count() == 0);
}

TEST_CASE("send rates: a chat's interval counts from the end of a slow send") {
  using std::chrono::milliseconds;
  SendRateLimiter limiter(SendRates{30, milliseconds(1000)});
  auto t0 = SendRateLimiter::Clock::time_point{} + std::chrono::hours(1);
  CHECK(limiter.reserve("bot", "chat", t0).count() == 0);
  limiter.sent("bot", "chat", t0 + milliseconds(400));  // the request took 400 ms
  CHECK(limiter.reserve("bot", "chat", t0 + milliseconds(1100)) == milliseconds(350));
  CHECK(limiter.reserve("bot", "chat", t0 + milliseconds(1450)).count() == 0);
  limiter.sent("bot", "chat", t0 + milliseconds(10));  // never moves the last send back
  CHECK(limiter.reserve("bot", "chat", t0 + milliseconds(1500)).count() > 0);
}

namespace {

/// Max events of `times` (sorted) in any window [t, t + 1 s).
int max_in_one_second(std::vector<SendRateLimiter::Clock::time_point> times) {
  std::sort(times.begin(), times.end());
  int best = 0;
  std::size_t lo = 0;
  for (std::size_t hi = 0; hi < times.size(); ++hi) {
    while (times[hi] - times[lo] >= std::chrono::seconds(1)) ++lo;
    best = std::max(best, static_cast<int>(hi - lo + 1));
  }
  return best;
}

/// Sends `one` messages to chat "one" and `spread` over `chats` other chats of bot "bot" through
/// `limiter` with an injected clock advancing in irregular 1–7 ms steps; each chat sends in
/// order (like the outbox). Each booked send reaches the far side 0–`jitter_ms` ms later
/// (deterministic pseudo-random). Returns the arrival times per chat and for the bot.
struct Arrivals {
  std::map<std::string, std::vector<SendRateLimiter::Clock::time_point>> per_chat;
  std::vector<SendRateLimiter::Clock::time_point> bot;
};
Arrivals burst(SendRateLimiter& limiter, int one, int spread, int chats, int jitter_ms) {
  using std::chrono::milliseconds;
  std::map<std::string, int> pending;
  pending["one"] = one;
  for (int i = 0; i < spread; ++i) ++pending["c" + std::to_string(i % chats)];
  int left = one + spread;
  std::uint32_t rng = 12345;
  auto next = [&] { return rng = rng * 1664525u + 1013904223u, rng >> 8; };
  Arrivals out;
  auto now = SendRateLimiter::Clock::time_point{} + std::chrono::hours(1);
  for (int step = 0; left > 0 && step < 1000000; ++step) {
    now += milliseconds(1 + next() % 7);
    for (auto& [chat, count] : pending) {
      if (count == 0 || limiter.reserve("bot", chat, now).count() > 0) continue;
      --count;
      --left;
      auto arrival = now + milliseconds(jitter_ms > 0 ? next() % (jitter_ms + 1) : 0);
      out.per_chat[chat].push_back(arrival);
      out.bot.push_back(arrival);
    }
  }
  REQUIRE(left == 0);
  return out;
}

}  // namespace

TEST_CASE("send rates: under a burst no 1 s window holds more than the limit, per chat and per bot") {
  using std::chrono::milliseconds;
  for (int jitter_ms : {0, 40}) {
    for (int limit : {30, 7}) {
      CAPTURE(jitter_ms, limit);
      SendRateLimiter limiter(SendRates{limit, milliseconds(1000)});
      auto arrivals = burst(limiter, 100, 300, 50, jitter_ms);
      CHECK(arrivals.bot.size() == 400);
      CHECK(max_in_one_second(arrivals.bot) <= limit);
      int chat_max = 0;
      for (const auto& [chat, times] : arrivals.per_chat) chat_max = std::max(chat_max, max_in_one_second(times));
      CHECK(chat_max == 1);
      // The bot is kept busy: the spacing does not idle it far below the limit.
      if (jitter_ms == 0) CHECK(max_in_one_second(arrivals.bot) >= limit * 3 / 4);
    }
  }
}

// tgrate: ratings on Telegram (docs/channels.md "Ratings on Telegram").
TEST_CASE("parse_update reads a callback_query: id, chat, message id and bounded data") {
  auto in = telegram::parse_update(
      R"({"update_id":8,"callback_query":{"id":"4382bfdwdsb323b2d9","from":{"id":9,"first_name":"Ada"},)"
      R"("message":{"message_id":44,"date":1700000000,"chat":{"id":9,"type":"private"},"text":"Yes."},)"
      R"("chat_instance":"-1","data":"fb:12:u"}})");
  REQUIRE(in);
  CHECK_FALSE(in->has_message);
  REQUIRE(in->has_callback);
  CHECK(in->callback.id == "4382bfdwdsb323b2d9");
  CHECK(in->callback.from_id == 9);
  CHECK(in->callback.chat_id == 9);
  CHECK(in->callback.chat_type == "private");
  CHECK(in->callback.message_id == 44);
  CHECK(in->callback.data == "fb:12:u");
  CHECK(telegram::chat_key(*in) == "cb:9");

  // No message (an inline-mode button): no chat, its own inbox group.
  auto inline_press = telegram::parse_update(R"({"update_id":9,"callback_query":{"id":"x","data":"fb:1:d"}})");
  REQUIRE(inline_press);
  CHECK(inline_press->has_callback);
  CHECK(inline_press->callback.chat_id == 0);
  CHECK(telegram::chat_key(*inline_press).empty());
  // Data over 64 bytes is not Telegram's: dropped. An id that is no string, empty or huge: ignored.
  auto long_data = telegram::parse_update(
      R"({"update_id":10,"callback_query":{"id":"x","data":")" + std::string(65, 'a') + R"("}})");
  REQUIRE(long_data);
  CHECK(long_data->callback.data.empty());
  for (const std::string& id : std::vector<std::string>{"1", "\"\"", "null", "\"" + std::string(129, 'i') + "\""}) {
    auto bad = telegram::parse_update(R"({"update_id":11,"callback_query":{"id":)" + id + R"(,"data":"fb:1:u"}})");
    REQUIRE(bad);
    CHECK_FALSE(bad->has_callback);
    CHECK_FALSE(bad->has_message);
  }
  // Hostile shapes never throw.
  for (const char* body : {R"({"update_id":12,"callback_query":[]})",
                           R"({"update_id":12,"callback_query":{"id":"x","message":7,"from":"y","data":5}})",
                           R"({"update_id":12,"callback_query":{"id":"x","message":{"chat":{"id":"9"}}}})"}) {
    auto parsed = telegram::parse_update(body);
    REQUIRE(parsed);
    CHECK(parsed->callback.chat_id == 0);
  }
  // A text message keeps its plain chat key.
  auto text = telegram::parse_update(
      R"({"update_id":13,"message":{"message_id":1,"chat":{"id":77,"type":"private"},"text":"hi"}})");
  REQUIRE(text);
  CHECK(telegram::chat_key(*text) == "77");
}

TEST_CASE("rating callback_data: fb:<seq>:u|d|c both ways, anything else refused") {
  using telegram::RatingAction;
  CHECK(telegram::rating_data(12, RatingAction::kUp) == "fb:12:u");
  CHECK(telegram::rating_data(7, RatingAction::kDown) == "fb:7:d");
  CHECK(telegram::rating_data(7, RatingAction::kClear) == "fb:7:c");
  CHECK(telegram::rating_data(999999999999999999, RatingAction::kClear).size() <= telegram::kMaxCallbackDataBytes);
  auto up = telegram::parse_rating_data("fb:12:u");
  REQUIRE(up);
  CHECK(up->seq == 12);
  CHECK(up->action == RatingAction::kUp);
  auto down = telegram::parse_rating_data("fb:999999999999999999:d");
  REQUIRE(down);
  CHECK(down->seq == 999999999999999999);
  CHECK(down->action == RatingAction::kDown);
  auto clear = telegram::parse_rating_data("fb:5:c");
  REQUIRE(clear);
  CHECK(clear->seq == 5);
  CHECK(clear->action == RatingAction::kClear);
  for (const char* bad : {"", "fb:", "fb::u", "fb:0:u", "fb:012:u", "fb:-1:u", "fb:1:x", "fb:1:uu",
                          "fb:1", "fb:1:", "xx:1:u", "fb:1000000000000000000:u", "fb:1 :u", "FB:1:u",
                          "fb:1:u\n", "fb:12a:d", "fb:1:C", "fb:1:cc", "fb:1:c ", "fb::c", "fb:0:c",
                          "fb:1:c:u", "fb:+1:c"}) {
    CHECK_FALSE(telegram::parse_rating_data(bad));
  }
}

TEST_CASE("rating keyboard: sendMessage carries it as reply_markup; the edit marks the chosen "
          "button and makes it a clear, the other a set") {
  telegram::RatingButtons buttons{42, "\U0001F44D Helpful", "\U0001F44E Not helpful", ""};
  auto plain = boost::json::parse(telegram::send_message_body("9", "hi")).as_object();
  CHECK_FALSE(plain.contains("reply_markup"));
  auto body = boost::json::parse(telegram::send_message_body("9", "hi", &buttons)).as_object();
  auto row = body.at("reply_markup").at("inline_keyboard").as_array().at(0).as_array();
  REQUIRE(row.size() == 2);
  CHECK(row[0].at("text").as_string() == "\U0001F44D Helpful");
  CHECK(row[0].at("callback_data").as_string() == "fb:42:u");
  CHECK(row[1].at("text").as_string() == "\U0001F44E Not helpful");
  CHECK(row[1].at("callback_data").as_string() == "fb:42:d");

  buttons.selected = "down";
  auto edit = boost::json::parse(telegram::edit_message_reply_markup_body(9, 44, buttons)).as_object();
  CHECK(edit.at("chat_id").as_int64() == 9);
  CHECK(edit.at("message_id").as_int64() == 44);
  auto marked = edit.at("reply_markup").at("inline_keyboard").as_array().at(0).as_array();
  CHECK(marked[0].at("text").as_string() == "\U0001F44D Helpful");
  CHECK(marked[0].at("callback_data").as_string() == "fb:42:u");
  CHECK(marked[1].at("text").as_string() == "\U0001F44E Not helpful \u2713");
  CHECK(marked[1].at("callback_data").as_string() == "fb:42:c");
  buttons.selected = "up";
  auto other = boost::json::parse(telegram::edit_message_reply_markup_body(9, 44, buttons))
                   .at("reply_markup").at("inline_keyboard").as_array().at(0).as_array();
  CHECK(other[0].at("callback_data").as_string() == "fb:42:c");
  CHECK(other[1].at("callback_data").as_string() == "fb:42:d");

  auto answer = boost::json::parse(telegram::answer_callback_query_body("q1", std::string(300, 'a'))).as_object();
  CHECK(answer.at("callback_query_id").as_string() == "q1");
  CHECK(answer.at("text").as_string().size() == 200);

  auto info = telegram::parse_webhook_info(R"({"url":"https://x","allowed_updates":["message",7]})");
  REQUIRE(info);
  CHECK(info->has_allowed_updates);
  CHECK(info->allowed_updates == std::vector<std::string>{"message"});
  CHECK_FALSE(telegram::parse_webhook_info(R"({"url":"https://x"})")->has_allowed_updates);

  // Both update sources ask Telegram for callback queries too.
  for (const auto& text : {telegram::get_updates_body(1, 25, 100), telegram::set_webhook_body("https://x", "s")}) {
    auto allowed = boost::json::parse(text).at("allowed_updates").as_array();
    CHECK(allowed == boost::json::array{"message", "callback_query"});
  }
}

TEST_CASE("rating labels and answers are in the bot's language") {
  CHECK(rating_up_label("en") == "\U0001F44D Helpful");
  CHECK(rating_down_label("ru") == "\U0001F44E Бесполезно");
  CHECK(rating_up_label("uz") == "\U0001F44D Foydali");
  CHECK(rating_thanks_text("") == "Thanks for your feedback!");
  CHECK(rating_thanks_text("ru") == "Спасибо за отзыв!");
  CHECK(rating_too_many_text("en") == "Too many changes, try again in a minute");
  CHECK(rating_unavailable_text("fr") == rating_unavailable_text("en"));
}
