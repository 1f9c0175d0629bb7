// Caller authentication between services: a real rpc::Server refuses calls without or with a
// wrong INTERNAL_RPC_SECRET (UNAUTHENTICATED, handler not run), accepts the right one (sent by
// rpc::make_channel), and leaves grpc.health.v1.Health open.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>

#include "botfactory/auth/v1/auth.grpc.pb.h"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/internal_auth.hpp"
#include "botfactory/rpc/server.hpp"
#include "botfactory/rpc/status.hpp"
#include "grpc/health/v1/health.grpc.pb.h"

using namespace botfactory;
using namespace std::chrono_literals;

namespace {

/// Counts how often its handler body ran (behind rpc::guard, as every service does).
class CountingService : public auth::v1::AuthService::Service {
 public:
  grpc::Status GetUser(grpc::ServerContext*, const auth::v1::GetUserRequest*,
                       auth::v1::User* user) override {
    return rpc::guard("GetUser", [&] {
      ++ran;
      user->set_id("u-1");
    });
  }
  std::atomic<int> ran{0};
};

/// A plain channel without the token interceptor: what a foreign caller has.
std::shared_ptr<grpc::Channel> raw_channel(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                             grpc::InsecureChannelCredentials());
}

grpc::Status get_user(auth::v1::AuthService::StubInterface& stub, const char* token) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 5s);
  if (token) context.AddMetadata(rpc::kInternalTokenMetadata, token);
  auth::v1::GetUserRequest request;
  auth::v1::User user;
  return stub.GetUser(&context, request, &user);
}

}  // namespace

TEST_CASE("a call without or with a wrong internal token is UNAUTHENTICATED and never handled") {
  CountingService service;
  rpc::Server server("127.0.0.1:0", {&service});
  auto foreign = auth::v1::AuthService::NewStub(raw_channel(server.port()));
  auto refused_before = metrics::Registry::global().render();

  auto missing = get_user(*foreign, nullptr);
  CHECK(missing.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(missing.error_message() == "caller is not an authenticated BotFactory service");
  std::string wrong = rpc::internal_token();
  wrong.back() = wrong.back() == 'x' ? 'y' : 'x';
  CHECK(get_user(*foreign, wrong.c_str()).error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(get_user(*foreign, "").error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(get_user(*foreign, (rpc::internal_token() + "x").c_str()).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
  CHECK(service.ran == 0);
  CHECK_THAT(metrics::Registry::global().render(),
             Catch::Contains("rpc_internal_auth_refused_total"));

  // The right token, by hand and through rpc::make_channel.
  CHECK(get_user(*foreign, rpc::internal_token().c_str()).ok());
  auto internal = auth::v1::AuthService::NewStub(
      rpc::make_channel("127.0.0.1:" + std::to_string(server.port())));
  CHECK(get_user(*internal, nullptr).ok());
  CHECK(service.ran == 2);
}

TEST_CASE("grpc.health.v1.Health answers without the internal token") {
  CountingService service;
  rpc::Server server("127.0.0.1:0", {&service});
  auto health = grpc::health::v1::Health::NewStub(raw_channel(server.port()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 5s);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  auto status = health->Check(&context, request, &response);
  CHECK(status.ok());
  CHECK(response.status() == grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_CASE("is_internal_token compares exactly") {
  const auto& token = rpc::internal_token();
  CHECK(rpc::is_internal_token(token));
  CHECK_FALSE(rpc::is_internal_token(token.substr(0, token.size() - 1)));
  CHECK_FALSE(rpc::is_internal_token(""));
  CHECK_FALSE(rpc::internal_call_refused());  // outside a call nothing is refused
}
