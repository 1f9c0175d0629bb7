#include "call_deadline_interceptor.hpp"

#include <optional>

#include <grpcpp/server_context.h>

#include "botfactory/common/call_deadline.hpp"

namespace botfactory::rpc {
namespace {

using grpc::experimental::InterceptionHookPoints;

class CallDeadlineInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit CallDeadlineInterceptor(grpc::ServerContextBase* context) : context_(context) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (context_ != nullptr &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      scope_.reset();
      auto* context = context_;
      scope_.emplace(context->deadline(), [context] { return context->IsCancelled(); });
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      scope_.reset();
    }
    methods->Proceed();
  }

 private:
  grpc::ServerContextBase* context_;
  std::optional<common::ScopedCallDeadline> scope_;
};

class Factory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    // A callback-API call (grpc::CallbackServerContext) has no handler thread: its hooks run on
    // whichever thread gRPC picks, so a thread-local scope would leak to other calls. Such
    // services read the context's deadline themselves.
    if (dynamic_cast<grpc::CallbackServerContext*>(info->server_context()) != nullptr) return nullptr;
    return new CallDeadlineInterceptor(info->server_context());
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
make_call_deadline_interceptor_factory() {
  return std::make_unique<Factory>();
}

}  // namespace botfactory::rpc
