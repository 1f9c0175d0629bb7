#include "botfactory/chatwire/feedback_event.hpp"

#include <boost/json.hpp>

#include "botfactory/rpc/timestamp.hpp"

namespace botfactory::chatwire {

std::string encode_message_feedback(std::string_view conversation_id,
                                    const botfactory::chat::v1::MessageFeedback& feedback) {
  boost::json::value rating = nullptr;
  if (feedback.rating() == botfactory::chat::v1::FEEDBACK_RATING_UP) rating = "up";
  if (feedback.rating() == botfactory::chat::v1::FEEDBACK_RATING_DOWN) rating = "down";
  boost::json::object frame;
  frame.reserve(6);
  frame.emplace("type", "message.feedback");
  frame.emplace("conversation_id", conversation_id);
  frame.emplace("seq", feedback.seq());
  frame.emplace("rating", std::move(rating));
  frame.emplace("comment", feedback.comment());
  frame.emplace("updated_at", feedback.has_updated_at()
                                  ? boost::json::value(rpc::rfc3339(feedback.updated_at()))
                                  : boost::json::value(nullptr));
  return boost::json::serialize(frame);
}

}  // namespace botfactory::chatwire
