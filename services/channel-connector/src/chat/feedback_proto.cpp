#include "chat/feedback_proto.hpp"

#include "botfactory/rpc/timestamp.hpp"

namespace botfactory::channel {

chat::v1::FeedbackRating rating_to_proto(const std::string& rating) {
  if (rating == "up") return chat::v1::FEEDBACK_RATING_UP;
  if (rating == "down") return chat::v1::FEEDBACK_RATING_DOWN;
  return chat::v1::FEEDBACK_RATING_UNSPECIFIED;
}

chat::v1::MessageFeedback feedback_to_proto(const FeedbackRow& row) {
  chat::v1::MessageFeedback out;
  out.set_seq(row.seq);
  out.set_rating(rating_to_proto(row.rating));
  out.set_comment(row.comment);
  if (row.updated_at_us != 0) *out.mutable_updated_at() = rpc::timestamp_from_micros(row.updated_at_us);
  return out;
}

}  // namespace botfactory::channel
