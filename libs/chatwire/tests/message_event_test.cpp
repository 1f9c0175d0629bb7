#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "botfactory/chatwire/message_event.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
using botfactory::chatwire::encode_message_delta;
using botfactory::chatwire::encode_message_new;

namespace {

chatv1::Message sample_message(const std::string& text) {
  chatv1::Message m;
  m.set_id("5b6f8a52-5d0f-4d55-9a43-2a1f1c9e0001");
  m.set_conversation_id("0e8c4a39-0b4e-4a56-8b0c-7f5f0b1b0002");
  m.set_seq(42);
  m.mutable_sender()->set_kind(commonv1::SENDER_KIND_VISITOR);
  m.mutable_sender()->set_id("visitor-1");
  m.mutable_sender()->set_name("Guest 4821");
  m.set_text(text);
  m.set_client_id("c-1");
  // 2026-11-22T04:40:31.123Z
  m.mutable_created_at()->set_seconds(1795322431);
  m.mutable_created_at()->set_nanos(123456789);
  return m;
}

}  // namespace

TEST_CASE("message.new frame has the documented shape and key order") {
  auto frame = encode_message_new(sample_message("Hello"));
  CHECK(frame ==
        R"({"type":"message.new","conversation_id":"0e8c4a39-0b4e-4a56-8b0c-7f5f0b1b0002","seq":42,)"
        R"("message":{"id":"5b6f8a52-5d0f-4d55-9a43-2a1f1c9e0001","sender":{"kind":"visitor",)"
        R"("id":"visitor-1","name":"Guest 4821"},"text":"Hello","created_at":"2026-11-22T04:40:31.123Z"}})");
}

TEST_CASE("message.new of a reply with sources ends its message with them, in citation order") {
  auto m = sample_message("Open 9-17 [1], closed Sundays [2].");
  m.mutable_sender()->set_kind(commonv1::SENDER_KIND_BOT);
  auto* first = m.add_sources();
  first->set_document_id("d1");
  first->set_document_title("Hours \"FAQ\"");
  first->set_chunk_id("c1");
  auto* second = m.add_sources();
  second->set_document_id("d2");
  second->set_document_title("Праздники");
  second->set_chunk_id("c7");
  auto frame = encode_message_new(m);
  CHECK(frame ==
        R"({"type":"message.new","conversation_id":"0e8c4a39-0b4e-4a56-8b0c-7f5f0b1b0002","seq":42,)"
        R"("message":{"id":"5b6f8a52-5d0f-4d55-9a43-2a1f1c9e0001","sender":{"kind":"bot",)"
        R"("id":"visitor-1","name":"Guest 4821"},"text":"Open 9-17 [1], closed Sundays [2].",)"
        R"("created_at":"2026-11-22T04:40:31.123Z","sources":[{"document_id":"d1",)"
        R"("document_title":"Hours \"FAQ\"","chunk_id":"c1"},{"document_id":"d2",)"
        R"("document_title":"Праздники","chunk_id":"c7"}]}})");
  // Without sources the key is absent, not empty: other frames stay byte-identical.
  m.clear_sources();
  CHECK(encode_message_new(m).find("sources") == std::string::npos);
}

TEST_CASE("message.new escapes quotes, backslashes, newlines and keeps Cyrillic as UTF-8") {
  std::string text = "He said \"hi\"\\\nline2\tend \x01 Привет, мир";
  auto m = sample_message(text);
  m.mutable_sender()->set_name("Иван \"Ваня\"");
  m.mutable_sender()->set_kind(commonv1::SENDER_KIND_OPERATOR);
  auto frame = encode_message_new(m);

  CHECK(frame.find(R"("text":"He said \"hi\"\\\nline2\tend \u0001 Привет, мир")") != std::string::npos);
  CHECK(frame.find('\n') == std::string::npos);
  CHECK(frame.find(R"("name":"Иван \"Ваня\"")") != std::string::npos);

  auto parsed = boost::json::parse(frame).as_object();
  CHECK(parsed.at("type").as_string() == "message.new");
  CHECK(parsed.at("seq").as_int64() == 42);
  const auto& message = parsed.at("message").as_object();
  CHECK(message.at("text").as_string() == text);
  CHECK(message.at("sender").as_object().at("kind").as_string() == "operator");
  CHECK(message.at("sender").as_object().at("name").as_string() == "Иван \"Ваня\"");
}

TEST_CASE("sender kinds map to their wire names") {
  auto m = sample_message("x");
  m.mutable_sender()->set_kind(commonv1::SENDER_KIND_BOT);
  auto parsed = boost::json::parse(encode_message_new(m)).as_object();
  CHECK(parsed.at("message").as_object().at("sender").as_object().at("kind").as_string() == "bot");
  CHECK(botfactory::chatwire::sender_kind_name(commonv1::SENDER_KIND_VISITOR) == "visitor");
  CHECK(botfactory::chatwire::sender_kind_name(commonv1::SENDER_KIND_UNSPECIFIED) == "unknown");
  CHECK(botfactory::chatwire::conversation_channel("abc") == "chat:conv:abc");
}

TEST_CASE("message.delta frame is exact and escaped") {
  CHECK(encode_message_delta("c1", 7, "Hel") ==
        R"({"type":"message.delta","conversation_id":"c1","reply_to_seq":7,"delta":"Hel"})");
  auto frame = encode_message_delta("c1", 7, "«Да» \"ок\"\n");
  CHECK(frame == R"({"type":"message.delta","conversation_id":"c1","reply_to_seq":7,"delta":"«Да» \"ок\"\n"})");
  auto parsed = boost::json::parse(frame).as_object();
  CHECK(parsed.at("delta").as_string() == "«Да» \"ок\"\n");
}
