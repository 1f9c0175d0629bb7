// The gRPC face of MessageFeedbackService (ChannelConnectorService's SetMessageFeedback /
// ListConversationFeedback / ListBotFeedback, feedback.proto): proto ↔ plain types,
// FeedbackInvalid → INVALID_ARGUMENT, FeedbackNotFound → NOT_FOUND, FeedbackNotRateable →
// FAILED_PRECONDITION "not_rateable: …" (the gateway answers 409 not_rateable), everything else
// through rpc::guard.
#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/tenant.hpp"
#include "botfactory/rpc/timestamp.hpp"
#include "chat/channel_grpc_service.hpp"
#include "chat/feedback_proto.hpp"
#include "chat/message_feedback.hpp"

namespace botfactory::channel {
namespace {

/// Runs `body` with the service present and the feedback errors translated.
template <typename Body>
void with_feedback(MessageFeedbackService* feedback, const std::string& tenant_id, Body&& body) {
  if (feedback == nullptr) {
    throw rpc::StatusError(grpc::StatusCode::FAILED_PRECONDITION, "answer feedback is not served");
  }
  rpc::require_tenant(tenant_id);
  try {
    body(*feedback);
  } catch (const FeedbackInvalid& e) {
    rpc::throw_invalid(e.what());
  } catch (const FeedbackNotFound& e) {
    throw rpc::StatusError(grpc::StatusCode::NOT_FOUND, e.what());
  } catch (const FeedbackNotRateable& e) {
    throw rpc::StatusError(grpc::StatusCode::FAILED_PRECONDITION,
                           std::string("not_rateable: ") + e.what());
  }
}

std::string rating_name(chat::v1::FeedbackRating rating) {
  switch (rating) {
    case chat::v1::FEEDBACK_RATING_UP: return "up";
    case chat::v1::FEEDBACK_RATING_DOWN: return "down";
    case chat::v1::FEEDBACK_RATING_UNSPECIFIED: return "";
    default: throw FeedbackInvalid("unknown rating");
  }
}

void fill(const FeedbackRow& row, chat::v1::MessageFeedback* out) { *out = feedback_to_proto(row); }

}  // namespace

grpc::Status ChannelConnectorGrpc::SetMessageFeedback(
    grpc::ServerContext*, const chat::v1::SetMessageFeedbackRequest* request,
    chat::v1::MessageFeedback* response) {
  return rpc::guard("SetMessageFeedback", [&] {
    with_feedback(feedback_, request->tenant_id(), [&](MessageFeedbackService& service) {
      auto row = service.set(request->tenant_id(), request->conversation_id(), request->seq(),
                             rating_name(request->rating()), request->comment());
      fill(row, response);
    });
  });
}

grpc::Status ChannelConnectorGrpc::ListConversationFeedback(
    grpc::ServerContext*, const chat::v1::ListConversationFeedbackRequest* request,
    chat::v1::ListConversationFeedbackResponse* response) {
  return rpc::guard("ListConversationFeedback", [&] {
    with_feedback(feedback_, request->tenant_id(), [&](MessageFeedbackService& service) {
      for (const auto& row : service.of_conversation(request->tenant_id(), request->conversation_id())) {
        fill(row, response->add_feedback());
      }
    });
  });
}

grpc::Status ChannelConnectorGrpc::ListBotFeedback(grpc::ServerContext*,
                                                   const chat::v1::ListBotFeedbackRequest* request,
                                                   chat::v1::ListBotFeedbackResponse* response) {
  return rpc::guard("ListBotFeedback", [&] {
    with_feedback(feedback_, request->tenant_id(), [&](MessageFeedbackService& service) {
      auto page = service.list_for_bot(request->tenant_id(), request->bot_id(), request->days(),
                                       rating_name(request->rating()), request->limit());
      response->set_days(page.days);
      response->set_up(page.up);
      response->set_down(page.down);
      for (const auto& row : page.replies) {
        auto* r = response->add_replies();
        r->set_conversation_id(row.conversation_id);
        r->set_seq(row.feedback.seq);
        r->set_rating(rating_to_proto(row.feedback.rating));
        r->set_comment(row.feedback.comment);
        *r->mutable_rated_at() = rpc::timestamp_from_micros(row.feedback.updated_at_us);
        r->set_question(row.question);
        r->set_reply(row.reply);
        *r->mutable_replied_at() = rpc::timestamp_from_micros(row.replied_at_us);
        r->set_channel(row.channel);
      }
    });
  });
}

/// Adds the answer-feedback counts to GetAnalytics' days (matched by date); no-op without the
/// service. Called by GetAnalytics after the message counts.
void ChannelConnectorGrpc::add_feedback_days(const chat::v1::GetAnalyticsRequest& request,
                                             chat::v1::GetAnalyticsResponse& response) {
  if (feedback_ == nullptr || response.days_size() == 0) return;
  auto rows = feedback_->daily(request.tenant_id(), request.bot_id(), response.days_size());
  for (auto& day : *response.mutable_days()) {
    for (const auto& row : rows) {
      if (row.date == day.date()) {
        day.set_feedback_up(row.up);
        day.set_feedback_down(row.down);
      }
    }
  }
}

}  // namespace botfactory::channel
