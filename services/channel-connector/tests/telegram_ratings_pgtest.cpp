// tgrate: ratings on Telegram end to end inside channel-connector (docs/channels.md "Ratings on
// Telegram"), on real PostgreSQL and Redis with the fake Telegram Bot API: the reply carries the
// 👍 / 👎 keyboard, a press (getUpdates or the webhook) is stored through MessageFeedbackService
// and seen by the feedback reads, the chosen (✓) button's data clears it, a press handled twice
// gives the same result, a stale or foreign press changes nothing, FEEDBACK_WRITES_PER_MIN
// holds, and every press is answered.

#include <boost/json.hpp>

#include "botfactory/chatwire/message_event.hpp"
#include "channel_harness.hpp"
#include "chat/message_feedback.hpp"

using namespace botfactory;
using namespace botfactory::channel;
using namespace botfactory::channel::testing_support;
namespace json = boost::json;

namespace {

/// The callback_data of the buttons of `reply_markup` (JSON), in order.
std::vector<std::string> button_data(const std::string& reply_markup) {
  std::vector<std::string> out;
  if (reply_markup.empty()) return out;
  auto markup = json::parse(reply_markup);
  for (const auto& row : markup.at("inline_keyboard").as_array()) {
    for (const auto& button : row.as_array()) out.emplace_back(button.at("callback_data").as_string());
  }
  return out;
}

/// The button labels of `reply_markup` (JSON), in order.
std::vector<std::string> button_labels(const std::string& reply_markup) {
  std::vector<std::string> out;
  if (reply_markup.empty()) return out;
  auto markup = json::parse(reply_markup);
  for (const auto& row : markup.at("inline_keyboard").as_array()) {
    for (const auto& button : row.as_array()) out.emplace_back(button.at("text").as_string());
  }
  return out;
}

/// The texts of the answerCallbackQuery calls for callback query `id`, in order.
std::vector<std::string> answers_to(ChannelHarness& h, const std::string& id) {
  std::vector<std::string> out;
  for (const auto& a : h.telegram.callback_answers()) {
    if (a.callback_query_id == id) out.push_back(a.text);
  }
  return out;
}

/// Presses `data` under message `message_id` of chat `chat_id` through getUpdates (callback
/// query id `id`, "" = a fresh one) and waits for its answerCallbackQuery; returns the answer's
/// text ("" when none came).
std::string press(ChannelHarness& h, const std::string& token, std::int64_t chat_id, std::int64_t message_id,
                  const std::string& data, std::string id = "") {
  static int next = 0;
  if (id.empty()) id = "q" + std::to_string(++next);
  h.telegram.queue_update(token, FakeTelegram::callback_update(chat_id, message_id, data, id));
  std::string text;
  wait_until([&] {
    auto got = answers_to(h, id);
    if (got.empty()) return false;
    text = got.front();
    return true;
  });
  return text;
}

/// The inbox row of callback query `id` handled again, as after a lost "done": the row is put
/// back to pending with its lease gone (what a failed inbox_finish leaves once the lease runs
/// out), the inbox claims it again and hands the same update to the rating handler. Waits for
/// the second answerCallbackQuery and the row done again; returns that answer's text.
std::string handle_again(ChannelHarness& h, const std::string& id) {
  auto row = h.count(
      "UPDATE chat.channel_inbox SET state = 'pending', lease_until = NULL, lease_owner = NULL "
      "WHERE payload LIKE $1 AND state = 'done' RETURNING id",
      {"%\"" + id + "\"%"});
  REQUIRE(row > 0);
  REQUIRE(wait_until([&] { return answers_to(h, id).size() == 2; }));
  REQUIRE(wait_until([&] {
    return h.text("SELECT state FROM chat.channel_inbox WHERE id = $1", {std::to_string(row)}) == "done";
  }));
  return answers_to(h, id).back();
}

}  // namespace

TEST_CASE("Telegram ratings: the keyboard under an answer, a press stored and shown, the same "
          "button clears, stale and foreign presses change nothing") {
  ChannelHarness h;
  auto token = h.telegram.add_bot(5557001, "rate_bot");
  auto view = h.connect(token, "polling");
  h.telegram.queue_update(token, FakeTelegram::text_update(77, "Bob", "What does Relay do?"));
  REQUIRE(wait_until([&] { return h.telegram.sent().size() >= 1; }));
  auto conversation = h.text("SELECT id FROM chat.conversations WHERE channel_id = $1", {view.record.id});
  auto seq = h.count("SELECT seq FROM chat.messages WHERE conversation_id = $1 AND sender_kind = 'bot'",
                     {conversation});
  auto reply = h.telegram.sent()[0];
  CHECK(reply.text == "Hello, world");
  CHECK(button_data(reply.reply_markup) ==
        std::vector<std::string>{"fb:" + std::to_string(seq) + ":u", "fb:" + std::to_string(seq) + ":d"});
  CHECK(button_labels(reply.reply_markup) ==
        std::vector<std::string>{"\U0001F44D Helpful", "\U0001F44E Not helpful"});
  const std::int64_t message_id = 1;  // the fake's message_id of the first sendMessage

  // An operator's message is not rateable: no keyboard.
  h.operator_says(conversation, "op-1", "Olga here");
  REQUIRE(wait_until([&] { return h.telegram.sent().size() >= 2; }));
  CHECK(h.telegram.sent()[1].reply_markup.empty());

  // 👍: stored through MessageFeedbackService, visible to the inbox and the dashboard reads, and
  // published live like a widget rating (the `message.feedback` frame).
  RedisListener live(testenv::redis_host(), testenv::redis_port(), chatwire::conversation_channel(conversation));
  auto up = "fb:" + std::to_string(seq) + ":u";
  auto down = "fb:" + std::to_string(seq) + ":d";
  CHECK(press(h, token, 77, message_id, up) == "Thanks for your feedback!");
  auto frame = live.next();
  REQUIRE(frame);
  auto event = json::parse(*frame).as_object();
  CHECK(event.at("type").as_string() == "message.feedback");
  CHECK(event.at("conversation_id").as_string() == conversation);
  CHECK(event.at("seq").as_int64() == seq);
  CHECK(event.at("rating").as_string() == "up");
  auto rows = h.app->feedback().of_conversation(h.tenant, conversation);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].seq == seq);
  CHECK(rows[0].rating == "up");
  auto page = h.app->feedback().list_for_bot(h.tenant, h.bot.id(), 0, "", 0);
  CHECK(page.up == 1);
  REQUIRE(page.replies.size() == 1);
  CHECK(page.replies[0].question == "What does Relay do?");
  CHECK(page.replies[0].channel == "telegram");
  REQUIRE(wait_until([&] { return h.telegram.markup_edits().size() == 1; }));
  auto edit = h.telegram.markup_edits()[0];
  CHECK(edit.chat_id == "77");
  CHECK(edit.message_id == message_id);
  CHECK(button_labels(edit.reply_markup) ==
        std::vector<std::string>{"\U0001F44D Helpful \u2713", "\U0001F44E Not helpful"});
  // The chosen button now clears; the other still sets.
  auto clear = "fb:" + std::to_string(seq) + ":c";
  CHECK(button_data(edit.reply_markup) == std::vector<std::string>{clear, down});

  // 👎 replaces it (last write wins) and becomes the clear. A 👎 press of a keyboard sent before
  // (its data "d": set down) changes nothing; the ✓ button ("c") clears.
  CHECK(press(h, token, 77, message_id, down) == "Thanks for your feedback!");
  CHECK(h.app->feedback().of_conversation(h.tenant, conversation).at(0).rating == "down");
  REQUIRE(wait_until([&] { return h.telegram.markup_edits().size() == 2; }));
  CHECK(button_data(h.telegram.markup_edits()[1].reply_markup) == std::vector<std::string>{up, clear});
  CHECK(press(h, token, 77, message_id, down) == "Thanks for your feedback!");
  CHECK(h.app->feedback().of_conversation(h.tenant, conversation).at(0).rating == "down");
  // (Redrawn the same: Telegram — and the fake — refuse it as "message is not modified".)
  REQUIRE(wait_until([&] { return h.telegram.method_calls("editMessageReplyMarkup") == 3; }));
  CHECK(h.telegram.markup_edits().size() == 2);
  CHECK(press(h, token, 77, message_id, clear) == "Rating removed");
  CHECK(h.app->feedback().of_conversation(h.tenant, conversation).empty());
  REQUIRE(wait_until([&] { return h.telegram.markup_edits().size() == 3; }));
  CHECK(button_labels(h.telegram.markup_edits()[2].reply_markup) ==
        std::vector<std::string>{"\U0001F44D Helpful", "\U0001F44E Not helpful"});
  CHECK(button_data(h.telegram.markup_edits()[2].reply_markup) == std::vector<std::string>{up, down});

  // Stale or foreign: the visitor's own message, the operator's, a seq that does not exist, data
  // that is not a rating, a chat without a conversation, a group chat's press. Each is answered
  // neutrally and changes nothing (no rating, no edit).
  auto visitor_seq = h.count(
      "SELECT seq FROM chat.messages WHERE conversation_id = $1 AND sender_kind = 'visitor'", {conversation});
  auto operator_seq = h.count(
      "SELECT seq FROM chat.messages WHERE conversation_id = $1 AND sender_kind = 'operator'", {conversation});
  const std::string neutral = "This message can't be rated";
  CHECK(press(h, token, 77, message_id, "fb:" + std::to_string(visitor_seq) + ":u") == neutral);
  CHECK(press(h, token, 77, message_id, "fb:" + std::to_string(operator_seq) + ":u") == neutral);
  CHECK(press(h, token, 77, message_id, "fb:999:u") == neutral);
  CHECK(press(h, token, 77, message_id, "fb:" + std::to_string(seq) + ":x") == neutral);
  CHECK(press(h, token, 77, message_id, "{\"tenant\":\"x\"}") == neutral);
  CHECK(press(h, token, 4040, message_id, up) == neutral);  // a chat this bot never talked to
  h.telegram.queue_update(
      token, R"({"callback_query":{"id":"grp","message":{"message_id":1,"chat":{"id":77,"type":"group"}},"data":")" +
                 up + R"("}})");
  REQUIRE(wait_until([&] { return h.telegram.callback_answers().back().callback_query_id == "grp"; }));
  CHECK(h.telegram.callback_answers().back().text == neutral);
  CHECK(h.app->feedback().of_conversation(h.tenant, conversation).empty());
  CHECK(h.count("SELECT count(*) FROM chat.message_feedback") == 0);
  CHECK(h.telegram.markup_edits().size() == 3);
  CHECK(h.telegram.method_calls("editMessageReplyMarkup") == 4);
  // Every press was answered and its inbox row is done.
  CHECK(wait_until([&] { return h.count("SELECT count(*) FROM chat.channel_inbox WHERE state <> 'done'") == 0; }));
}

TEST_CASE("Telegram ratings: a press handled twice (its inbox row's done lost) leaves the rating as "
          "the first left it; the ✓ button's data is a clear") {
  ChannelHarness h;
  h.stop();
  h.settings.feedback_writes_per_min = 3;
  h.start();
  auto token = h.telegram.add_bot(5557004, "twice_rate_bot");
  auto view = h.connect(token, "polling");
  h.telegram.queue_update(token, FakeTelegram::text_update(80, "Ann", "What does Relay do?"));
  REQUIRE(wait_until([&] { return h.telegram.sent().size() >= 1; }));
  auto conversation = h.text("SELECT id FROM chat.conversations WHERE channel_id = $1", {view.record.id});
  auto data = button_data(h.telegram.sent()[0].reply_markup);
  REQUIRE(data.size() == 2);
  const std::string up = data[0], down = data[1];
  const std::string clear = up.substr(0, up.size() - 1) + "c";
  auto rating = [&] { return h.text("SELECT rating FROM chat.message_feedback"); };
  auto stamp = [&] { return h.text("SELECT updated_at::text FROM chat.message_feedback"); };

  // 👍, then the same update handled again: still 👍, nothing written (same updated_at), the
  // same answer, and the keyboard redrawn the same way (an edit Telegram refuses as "not
  // modified" when the first one went through, as here).
  CHECK(press(h, token, 80, 1, up, "twice-up") == "Thanks for your feedback!");
  CHECK(rating() == "up");
  auto first = stamp();
  REQUIRE(wait_until([&] { return h.telegram.markup_edits().size() == 1; }));
  auto marked = h.telegram.markup_edits()[0].reply_markup;
  CHECK(button_data(marked) == std::vector<std::string>{clear, down});
  CHECK(button_labels(marked)[0] == "\U0001F44D Helpful \u2713");
  CHECK(handle_again(h, "twice-up") == "Thanks for your feedback!");
  CHECK(rating() == "up");
  CHECK(stamp() == first);
  CHECK(h.count("SELECT count(*) FROM chat.message_feedback") == 1);
  REQUIRE(wait_until([&] { return h.telegram.method_calls("editMessageReplyMarkup") == 2; }));
  CHECK(h.telegram.markup_edits().size() == 1);
  CHECK(h.telegram.sent()[0].reply_markup == marked);

  // The ✓ button says "clear": pressed, the rating is gone and both buttons set again; handled
  // twice, still gone (a toggle would have put 👍 back).
  CHECK(press(h, token, 80, 1, clear, "twice-clear") == "Rating removed");
  CHECK(h.count("SELECT count(*) FROM chat.message_feedback") == 0);
  REQUIRE(wait_until([&] { return h.telegram.markup_edits().size() == 2; }));
  CHECK(button_data(h.telegram.markup_edits()[1].reply_markup) == std::vector<std::string>{up, down});
  CHECK(handle_again(h, "twice-clear") == "Rating removed");
  CHECK(h.count("SELECT count(*) FROM chat.message_feedback") == 0);
  CHECK(button_data(h.telegram.sent()[0].reply_markup) == std::vector<std::string>{up, down});

  // The repeats spent no FEEDBACK_WRITES_PER_MIN (3): a third write still goes through.
  CHECK(press(h, token, 80, 1, down) == "Thanks for your feedback!");
  CHECK(rating() == "down");
  CHECK(wait_until([&] { return h.count("SELECT count(*) FROM chat.channel_inbox WHERE state <> 'done'") == 0; }));
}

TEST_CASE("Telegram ratings: over FEEDBACK_WRITES_PER_MIN the press is refused with a short answer") {
  ChannelHarness h;
  h.stop();
  h.settings.feedback_writes_per_min = 2;
  h.start();
  auto token = h.telegram.add_bot(5557002, "busy_rate_bot");
  h.connect(token, "polling");
  h.ai.answered = false;  // an "I don't know" is rateable too
  h.telegram.queue_update(token, FakeTelegram::text_update(78, "Eve", "Anything?"));
  REQUIRE(wait_until([&] { return h.telegram.sent().size() >= 1; }));
  auto data = button_data(h.telegram.sent()[0].reply_markup);
  REQUIRE(data.size() == 2);
  CHECK(press(h, token, 78, 1, data[0]) == "Thanks for your feedback!");
  CHECK(press(h, token, 78, 1, data[1]) == "Thanks for your feedback!");
  CHECK(press(h, token, 78, 1, data[0]) == "Too many changes, try again in a minute");
  CHECK(h.text("SELECT rating FROM chat.message_feedback") == "down");  // unchanged
  CHECK(h.telegram.markup_edits().size() == 2);
}

TEST_CASE("Telegram ratings: a press through the webhook; a Russian bot's buttons; the keyboard "
          "under the last part only; TELEGRAM_RATINGS=0 sends none") {
  ChannelHarness h([](BindingSettings& b) { b.public_base_url = "https://bots.example.com/"; });
  h.bot = h.registry.add_bot(h.tenant, "Помощник", "ru", "");
  auto token = h.telegram.add_bot(5557003, "ru_rate_bot");
  // 5200 UTF-16 units: two parts.
  std::string longer;
  for (int i = 0; i < 400; ++i) longer += "\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80 ok. ";
  h.ai.deltas = {longer};
  auto view = h.connect(token, "webhook");
  auto secret = h.telegram.webhook_secret(token);
  CHECK(h.telegram.webhook_allowed_updates(token) == std::vector<std::string>{"message", "callback_query"});
  // A webhook registered before rating buttons (messages only) is registered again, same URL and
  // secret, when the channel's health is read (the dashboard's Channels page).
  h.telegram.set_webhook_allowed_updates(token, {"message"});
  auto sets = h.telegram.method_calls("setWebhook");
  h.app->bindings().list(h.tenant, h.bot.id());
  CHECK(h.telegram.method_calls("setWebhook") == sets + 1);
  CHECK(h.telegram.webhook_allowed_updates(token) == std::vector<std::string>{"message", "callback_query"});
  CHECK(h.telegram.webhook_secret(token) == secret);
  CHECK(h.telegram.webhook_url(token) == view.webhook_url);
  std::string update = R"({"update_id":9001,)" + FakeTelegram::text_update(79, "Иван", "Вопрос").substr(1);
  CHECK_FALSE(h.app->bindings().receive_telegram_update(view.record.id, secret, update));
  REQUIRE(wait_until([&] { return h.telegram.sent().size() >= 2; }));
  auto sent = h.telegram.sent();
  CHECK(sent[0].reply_markup.empty());
  REQUIRE_FALSE(sent[1].reply_markup.empty());
  CHECK(button_labels(sent[1].reply_markup) ==
        std::vector<std::string>{"\U0001F44D Полезно", "\U0001F44E Бесполезно"});
  auto data = button_data(sent[1].reply_markup);

  std::string press_update = R"({"update_id":9002,)" +
                             FakeTelegram::callback_update(79, 2, data[0], "wh-1").substr(1);
  CHECK(code_of([&] { h.app->bindings().receive_telegram_update(view.record.id, "wrong", press_update); }) ==
        grpc::StatusCode::PERMISSION_DENIED);
  CHECK_FALSE(h.app->bindings().receive_telegram_update(view.record.id, secret, press_update));
  CHECK(h.app->bindings().receive_telegram_update(view.record.id, secret, press_update));  // a redelivery
  REQUIRE(wait_until([&] { return !h.telegram.callback_answers().empty(); }));
  CHECK(h.telegram.callback_answers()[0].text == "Спасибо за отзыв!");
  CHECK(h.text("SELECT rating FROM chat.message_feedback") == "up");
  REQUIRE(wait_until([&] { return h.telegram.markup_edits().size() == 1; }));
  CHECK(h.telegram.markup_edits()[0].message_id == 2);
  // The redelivered update was stored once: one answer, the rating not toggled back.
  CHECK(wait_until([&] { return h.count("SELECT count(*) FROM chat.channel_inbox WHERE state = 'done'") == 2; }));
  CHECK(h.telegram.callback_answers().size() == 1);

  h.stop();
  h.bindings.outbox.ratings = false;
  h.start();
  h.ai.deltas = {"Short."};
  std::string again = R"({"update_id":9003,)" + FakeTelegram::text_update(79, "Иван", "Ещё").substr(1);
  CHECK_FALSE(h.app->bindings().receive_telegram_update(view.record.id, secret, again));
  REQUIRE(wait_until([&] { return h.telegram.sent().size() >= 3; }));
  CHECK(h.telegram.sent()[2].text == "Short.");
  CHECK(h.telegram.sent()[2].reply_markup.empty());
}
