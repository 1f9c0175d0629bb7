// Fuzz target: the Telegram Bot API parsers and the outbound text split of channel-connector
// (telegram_wire.cpp, telegram_text.cpp; https://core.telegram.org/bots/api).
// Input: byte 0 picks the split limit (16..271 UTF-16 units); the rest is parsed as an API
// answer, an Update (callback_query included), a getUpdates result, a getMe result and rating
// callback_data, and split as message text.
// Properties:
// - no parser crashes, whatever the bytes; every update split_updates() returns parses again
//   with parse_update() to the same update_id;
// - a callback_query keeps its bounds (data <= 64 bytes, id 1..128 bytes) and has its own inbox
//   lane ("cb:<chat>" or none); rating callback_data parses only in its one spelling:
//   parse_rating_data(d) → rating_data(seq, action) == d, seq >= 1, d ends in ":u", ":d" or
//   ":c" (set up / set down / clear); a keyboard's buttons, whatever is selected, hold data that
//   parses back to the same seq, the chosen one a clear and the other a set;
// - split_message(): every part is non-empty, within the limit, and the parts hold every
//   non-whitespace byte of the text in order (only whitespace at the cuts is dropped).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "channels/telegram_text.hpp"
#include "channels/telegram_wire.hpp"

namespace tg = botfactory::channel::telegram;
using botfactory::channel::split_message;
using botfactory::channel::utf16_units;

namespace {

std::string without_space(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r') out.push_back(c);
  }
  return out;
}

/// parse_rating_data accepts exactly what rating_data writes; the keyboards built for that seq
/// carry data that says each button's action (idempotent presses).
void check_rating_data(std::string_view data) {
  auto press = tg::parse_rating_data(data);
  if (!press) return;
  FUZZ_CHECK(press->seq >= 1);
  FUZZ_CHECK(tg::rating_data(press->seq, press->action) == data);
  const char kind = data.back();
  FUZZ_CHECK(kind == 'u' || kind == 'd' || kind == 'c');
  for (const char* selected : {"", "up", "down"}) {
    tg::RatingButtons buttons{press->seq, "up", "down", selected};
    auto body = tg::edit_message_reply_markup_body(1, 1, buttons);
    const std::string up = tg::rating_data(press->seq, tg::RatingAction::kUp);
    const std::string down = tg::rating_data(press->seq, tg::RatingAction::kDown);
    const std::string clear = tg::rating_data(press->seq, tg::RatingAction::kClear);
    const std::string selected_s = selected;
    FUZZ_CHECK((body.find("\"" + up + "\"") != std::string::npos) == (selected_s != "up"));
    FUZZ_CHECK((body.find("\"" + down + "\"") != std::string::npos) == (selected_s != "down"));
    FUZZ_CHECK((body.find("\"" + clear + "\"") != std::string::npos) == !selected_s.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t limit = 16 + data[0];
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  if (auto answer = tg::parse_answer(input)) {
    FUZZ_CHECK(answer->retry_after_s >= 0 && answer->retry_after_s <= 86400);
    (void)tg::parse_bot_identity(answer->result);
    (void)tg::parse_webhook_info(answer->result);
    for (const auto& update : tg::split_updates(answer->result)) {
      auto again = tg::parse_update(update.json);
      FUZZ_CHECK(again.has_value());
      FUZZ_CHECK(again->update_id == update.update_id);
    }
  }
  if (auto update = tg::parse_update(input)) {
    FUZZ_CHECK(!update->has_message || !update->display_name.empty());
    FUZZ_CHECK(!(update->has_message && update->has_callback));
    if (update->has_callback) {
      FUZZ_CHECK(update->callback.data.size() <= tg::kMaxCallbackDataBytes);
      FUZZ_CHECK(!update->callback.id.empty() && update->callback.id.size() <= tg::kMaxCallbackIdBytes);
      auto key = tg::chat_key(*update);
      FUZZ_CHECK(key.empty() || key.rfind("cb:", 0) == 0);
      check_rating_data(update->callback.data);
    }
  }
  check_rating_data(input);
  for (const auto& update : tg::split_updates(input)) FUZZ_CHECK(tg::parse_update(update.json));

  auto parts = split_message(input, limit);
  std::string joined;
  for (const auto& part : parts) {
    FUZZ_CHECK(!part.empty());
    FUZZ_CHECK(utf16_units(part) <= limit);
    joined += part;
  }
  FUZZ_CHECK(without_space(joined) == without_space(input));
  return 0;
}
