#include "botfactory/rpc/server.hpp"

#include <chrono>
#include <stdexcept>

#include <grpcpp/health_check_service_interface.h>

#include "botfactory/common/config.hpp"
#include "call_deadline_interceptor.hpp"
#include "botfactory/rpc/internal_auth.hpp"
#include "request_id_interceptor.hpp"

namespace botfactory::rpc {

Server::Server(const std::string& address, const std::vector<grpc::Service*>& services) {
  internal_token();  // fail fast on a missing or weak INTERNAL_RPC_SECRET
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // gRPC's default (4 MiB) is below the gateway's knowledge upload limit (MAX_UPLOAD_BYTES).
  builder.SetMaxReceiveMessageSize(static_cast<int>(
      common::env_int("RPC_MAX_MESSAGE_BYTES", 16 << 20, 4 << 20, 256 << 20)));
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port_);
  for (auto* service : services) builder.RegisterService(service);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(make_internal_token_server_factory());
  interceptors.push_back(make_request_id_interceptor_factory());
  interceptors.push_back(make_call_deadline_interceptor_factory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0) throw std::runtime_error("cannot listen for gRPC on " + address);
}

Server::~Server() { shutdown(0); }

void Server::shutdown(int grace_ms) {
  if (!server_) return;
  if (auto* health = server_->GetHealthCheckService()) health->Shutdown();
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(grace_ms));
  server_->Wait();
  server_.reset();
}

}  // namespace botfactory::rpc
