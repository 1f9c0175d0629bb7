#include "request_id_interceptor.hpp"

#include <grpcpp/server_context.h>

#include <optional>

#include "botfactory/common/request_id.hpp"

namespace botfactory::rpc {
namespace {

using grpc::experimental::InterceptionHookPoints;

/// Sets the thread's request id from the call's metadata (an empty one when there is none).
/// A sync server thread runs one call at a time, so set and clear need no nesting.
class RequestIdInterceptor : public grpc::experimental::Interceptor {
 public:
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      std::string_view id;
      if (auto* metadata = methods->GetRecvInitialMetadata()) {
        auto it = metadata->find(kRequestIdMetadata);
        if (it != metadata->end()) id = std::string_view(it->second.data(), it->second.size());
      }
      scope_.reset();
      scope_.emplace(id);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      scope_.reset();
    }
    methods->Proceed();
  }

 private:
  std::optional<common::ScopedRequestId> scope_;
};

class Factory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    // No thread-local scope for callback-API calls (see call_deadline_interceptor.cpp).
    if (dynamic_cast<grpc::CallbackServerContext*>(info->server_context()) != nullptr) return nullptr;
    return new RequestIdInterceptor();
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
make_request_id_interceptor_factory() {
  return std::make_unique<Factory>();
}

}  // namespace botfactory::rpc
