#pragma once
// Answer feedback rows as chat.v1 messages (feedback.proto): shared by the gRPC adapter
// (message_feedback_grpc_methods.cpp) and the live `message.feedback` frame of a Telegram rating
// (channels/telegram_ratings.cpp).

#include <string>

#include "botfactory/chat/v1/feedback.pb.h"
#include "chat/message_feedback_repository.hpp"

namespace botfactory::channel {

/// "up" → FEEDBACK_RATING_UP, "down" → FEEDBACK_RATING_DOWN, anything else → UNSPECIFIED.
chat::v1::FeedbackRating rating_to_proto(const std::string& rating);

/// `row` as SetMessageFeedback answers it (no updated_at after a clear).
chat::v1::MessageFeedback feedback_to_proto(const FeedbackRow& row);

}  // namespace botfactory::channel
