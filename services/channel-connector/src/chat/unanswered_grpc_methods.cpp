// The gRPC face of UnansweredQuestions (ChannelConnectorService's ListUnansweredQuestions /
// DismissUnansweredQuestion, unanswered.proto): proto ↔ plain types, UnansweredInvalid →
// INVALID_ARGUMENT, everything else through rpc::guard.
#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/tenant.hpp"
#include "botfactory/rpc/timestamp.hpp"
#include "chat/channel_grpc_service.hpp"
#include "chat/unanswered_questions.hpp"

namespace botfactory::channel {
namespace {

/// Runs `body` with the service present and UnansweredInvalid translated.
template <typename Body>
void with_unanswered(UnansweredQuestions* unanswered, const std::string& tenant_id, Body&& body) {
  if (unanswered == nullptr) {
    throw rpc::StatusError(grpc::StatusCode::FAILED_PRECONDITION,
                           "unanswered questions are not served");
  }
  rpc::require_tenant(tenant_id);
  try {
    body(*unanswered);
  } catch (const UnansweredInvalid& e) {
    rpc::throw_invalid(e.what());
  }
}

}  // namespace

grpc::Status ChannelConnectorGrpc::ListUnansweredQuestions(
    grpc::ServerContext*, const chat::v1::ListUnansweredQuestionsRequest* request,
    chat::v1::ListUnansweredQuestionsResponse* response) {
  return rpc::guard("ListUnansweredQuestions", [&] {
    with_unanswered(unanswered_, request->tenant_id(), [&](UnansweredQuestions& service) {
      auto page = service.list(request->tenant_id(), request->bot_id(), request->days(),
                               request->limit());
      response->set_days(page.days);
      response->set_truncated(page.truncated);
      for (const auto& group : page.questions) {
        auto* q = response->add_questions();
        q->set_key(group.key);
        q->set_text(group.text);
        q->set_count(group.count);
        *q->mutable_first_asked_at() = rpc::timestamp_from_micros(group.first_asked_at_us);
        *q->mutable_last_asked_at() = rpc::timestamp_from_micros(group.last_asked_at_us);
        q->set_last_conversation_id(group.last_conversation_id);
        q->set_language(group.language);
      }
    });
  });
}

grpc::Status ChannelConnectorGrpc::DismissUnansweredQuestion(
    grpc::ServerContext*, const chat::v1::DismissUnansweredQuestionRequest* request,
    chat::v1::DismissUnansweredQuestionResponse* response) {
  return rpc::guard("DismissUnansweredQuestion", [&] {
    with_unanswered(unanswered_, request->tenant_id(), [&](UnansweredQuestions& service) {
      auto [key, at] = service.dismiss(request->tenant_id(), request->bot_id(), request->key());
      response->set_key(key);
      *response->mutable_dismissed_at() = rpc::timestamp_from_micros(at);
    });
  });
}

}  // namespace botfactory::channel
