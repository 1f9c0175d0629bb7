#include "botfactory/rpc/client.hpp"

#include "botfactory/common/call_deadline.hpp"
#include "botfactory/common/config.hpp"
#include "botfactory/common/request_id.hpp"
#include "botfactory/rpc/internal_auth.hpp"
#include "request_id_interceptor.hpp"

#include "grpc/health/v1/health.grpc.pb.h"

namespace botfactory::rpc {

std::shared_ptr<grpc::Channel> make_channel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  // Several replicas behind one target (an ipv4: list, a dns:/// name with several addresses):
  // every call goes to the next ready one; a replica that went away is skipped until it is back.
  args.SetLoadBalancingPolicyName("round_robin");
  // A replica that comes back (restart, rollout) is tried again within 5 s, not after gRPC's
  // default back-off of up to 120 s.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  internal_token();  // fail fast on a missing or weak INTERNAL_RPC_SECRET
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(make_internal_token_client_factory());
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      target, grpc::InsecureChannelCredentials(), args, std::move(interceptors));
}

std::chrono::milliseconds rpc_timeout_from_env() {
  return std::chrono::milliseconds(common::env_int("RPC_TIMEOUT_MS", 5000, 1, 600000));
}

void set_deadline(grpc::ClientContext& context, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::system_clock::now() + timeout;
  // Never wait longer than the caller of the call this thread serves will.
  if (auto caller = common::current_call_deadline(); caller && *caller < deadline) deadline = *caller;
  context.set_deadline(deadline);
  const auto& request_id = common::current_request_id();
  if (!request_id.empty()) context.AddMetadata(kRequestIdMetadata, request_id);
}

bool is_serving(const std::shared_ptr<grpc::Channel>& channel, std::chrono::milliseconds timeout) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  set_deadline(context, timeout);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  auto status = stub->Check(&context, request, &response);
  return status.ok() && response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

}  // namespace botfactory::rpc
