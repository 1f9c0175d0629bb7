#include "canned/canned_grpc_service.hpp"

#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/tenant.hpp"
#include "botfactory/rpc/timestamp.hpp"
#include "canned/canned_responses.hpp"

namespace botfactory::channel {
namespace {

/// Runs `body` after the tenant check with the domain errors translated.
template <typename Body>
void with_canned(const std::string& tenant_id, Body&& body) {
  rpc::require_tenant(tenant_id);
  try {
    body();
  } catch (const CannedInvalid& e) {
    rpc::throw_invalid(e.what());
  } catch (const CannedNotFound& e) {
    rpc::throw_not_found(e.what());
  } catch (const CannedDuplicate& e) {
    rpc::throw_already_exists(std::string("canned_duplicate: ") + e.what());
  } catch (const CannedLimitReached& e) {
    throw rpc::StatusError(grpc::StatusCode::FAILED_PRECONDITION,
                           std::string("canned_limit: ") + e.what());
  }
}

void to_proto(const CannedRow& row, chat::v1::CannedResponse& out) {
  out.set_id(row.id);
  out.set_short_code(row.short_code);
  out.set_content(row.content);
  *out.mutable_created_at() = rpc::timestamp_from_micros(row.created_at_us);
  *out.mutable_updated_at() = rpc::timestamp_from_micros(row.updated_at_us);
}

}  // namespace

grpc::Status CannedGrpc::ListCannedResponses(grpc::ServerContext*,
                                             const chat::v1::ListCannedResponsesRequest* request,
                                             chat::v1::ListCannedResponsesResponse* response) {
  return rpc::guard("ListCannedResponses", [&] {
    with_canned(request->tenant_id(), [&] {
      auto page = canned_.list(request->tenant_id(), request->query());
      response->set_total(page.total);
      response->set_max(page.max);
      for (const auto& row : page.items) to_proto(row, *response->add_canned_responses());
    });
  });
}

grpc::Status CannedGrpc::CreateCannedResponse(grpc::ServerContext*,
                                              const chat::v1::CreateCannedResponseRequest* request,
                                              chat::v1::CannedResponse* response) {
  return rpc::guard("CreateCannedResponse", [&] {
    with_canned(request->tenant_id(), [&] {
      to_proto(canned_.create(request->tenant_id(), request->short_code(), request->content()),
               *response);
    });
  });
}

grpc::Status CannedGrpc::UpdateCannedResponse(grpc::ServerContext*,
                                              const chat::v1::UpdateCannedResponseRequest* request,
                                              chat::v1::CannedResponse* response) {
  return rpc::guard("UpdateCannedResponse", [&] {
    with_canned(request->tenant_id(), [&] {
      std::optional<std::string> code, content;
      if (request->has_short_code()) code = request->short_code();
      if (request->has_content()) content = request->content();
      to_proto(canned_.update(request->tenant_id(), request->id(), code, content), *response);
    });
  });
}

grpc::Status CannedGrpc::DeleteCannedResponse(grpc::ServerContext*,
                                              const chat::v1::DeleteCannedResponseRequest* request,
                                              chat::v1::DeleteCannedResponseResponse*) {
  return rpc::guard("DeleteCannedResponse", [&] {
    with_canned(request->tenant_id(), [&] { canned_.remove(request->tenant_id(), request->id()); });
  });
}

}  // namespace botfactory::channel
