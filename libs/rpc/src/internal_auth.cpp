#include "botfactory/rpc/internal_auth.hpp"

#include <string_view>

#include <sodium.h>

#include "botfactory/common/logging.hpp"
#include "botfactory/common/secrets.hpp"
#include "botfactory/metrics/registry.hpp"

namespace botfactory::rpc {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr std::string_view kHealthPrefix = "/grpc.health.v1.Health/";

/// Per-thread state of the call being served: a sync server thread runs one call at a time,
/// and its interceptor hooks run on that thread before and after the handler.
thread_local bool t_refused = false;

void sha256(std::string_view data, unsigned char (&out)[crypto_hash_sha256_BYTES]) {
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

class ClientTokenInterceptor : public grpc::experimental::Interceptor {
 public:
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->insert({kInternalTokenMetadata, internal_token()});
    }
    methods->Proceed();
  }
};

class ClientFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new ClientTokenInterceptor();
  }
};

class ServerTokenInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit ServerTokenInterceptor(std::string method) : method_(std::move(method)) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      refused_ = !exempt() && !authenticated(methods->GetRecvInitialMetadata());
      t_refused = refused_;
      if (refused_) {
        refusals().inc();
        common::logger("rpc")->warn("refused {}: missing or wrong {} metadata", method_,
                                    kInternalTokenMetadata);
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      if (refused_) methods->ModifySendStatus(internal_call_refusal_status());
      t_refused = false;
    }
    methods->Proceed();
  }

 private:
  bool exempt() const { return std::string_view(method_).substr(0, kHealthPrefix.size()) == kHealthPrefix; }

  static bool authenticated(std::multimap<grpc::string_ref, grpc::string_ref>* metadata) {
    if (metadata == nullptr) return false;
    auto it = metadata->find(kInternalTokenMetadata);
    if (it == metadata->end()) return false;
    return is_internal_token(std::string_view(it->second.data(), it->second.size()));
  }

  static metrics::Counter& refusals() {
    static auto& counter = metrics::Registry::global().counter(
        "rpc_internal_auth_refused_total",
        "gRPC calls refused because the caller did not present INTERNAL_RPC_SECRET");
    return counter;
  }

  std::string method_;
  bool refused_ = false;
};

class ServerFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new ServerTokenInterceptor(info->method() ? info->method() : "");
  }
};

}  // namespace

const std::string& internal_token() {
  static const std::string token = common::require_secret("INTERNAL_RPC_SECRET");
  return token;
}

bool is_internal_token(std::string_view presented) {
  if (sodium_init() < 0) return false;
  unsigned char expected[crypto_hash_sha256_BYTES];
  unsigned char actual[crypto_hash_sha256_BYTES];
  sha256(internal_token(), expected);
  sha256(presented, actual);
  return sodium_memcmp(expected, actual, sizeof expected) == 0;
}

std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>
make_internal_token_client_factory() {
  return std::make_unique<ClientFactory>();
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
make_internal_token_server_factory() {
  return std::make_unique<ServerFactory>();
}

bool internal_call_refused() { return t_refused; }

grpc::Status internal_call_refusal_status() {
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                      "caller is not an authenticated BotFactory service");
}

}  // namespace botfactory::rpc
