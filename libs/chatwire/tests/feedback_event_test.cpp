// The message.feedback frame (docs/protocol.md "Answer feedback").
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "botfactory/chatwire/feedback_event.hpp"

namespace chatv1 = botfactory::chat::v1;
namespace chatwire = botfactory::chatwire;

TEST_CASE("message.feedback carries the stored rating, comment and time") {
  chatv1::MessageFeedback f;
  f.set_seq(7);
  f.set_rating(chatv1::FEEDBACK_RATING_DOWN);
  f.set_comment("not \"what\" I asked");
  f.mutable_updated_at()->set_seconds(1767225600);  // 2026-01-01T00:00:00Z
  f.mutable_updated_at()->set_nanos(123000000);
  auto text = chatwire::encode_message_feedback("c-1", f);
  CHECK(text.rfind(R"({"type":"message.feedback","conversation_id":"c-1","seq":7,)", 0) == 0);
  auto frame = boost::json::parse(text).as_object();
  CHECK(frame.at("rating").as_string() == "down");
  CHECK(frame.at("comment").as_string() == "not \"what\" I asked");
  CHECK(frame.at("updated_at").as_string() == "2026-01-01T00:00:00.123Z");
  CHECK(frame.size() == 6);

  f.set_rating(chatv1::FEEDBACK_RATING_UP);
  CHECK(boost::json::parse(chatwire::encode_message_feedback("c-1", f)).at("rating").as_string() == "up");
}

TEST_CASE("a cleared rating is null with no time") {
  chatv1::MessageFeedback f;
  f.set_seq(3);
  auto frame = boost::json::parse(chatwire::encode_message_feedback("c-2", f)).as_object();
  CHECK(frame.at("type").as_string() == "message.feedback");
  CHECK(frame.at("seq").as_int64() == 3);
  CHECK(frame.at("rating").is_null());
  CHECK(frame.at("comment").as_string() == "");
  CHECK(frame.at("updated_at").is_null());
}
