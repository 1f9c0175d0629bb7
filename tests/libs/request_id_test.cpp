// Request ids: rpc::Server and the client helpers over a real loopback gRPC connection carry
// the id from the caller's thread to the handler's thread in `x-request-id` metadata, and log
// lines show it.
#include <catch2/catch.hpp>

#include <cstdio>
#include <mutex>
#include <string>

#include <unistd.h>

#include "botfactory/auth/v1/auth.grpc.pb.h"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/request_id.hpp"
#include "botfactory/rpc/client.hpp"
#include "botfactory/rpc/server.hpp"

using namespace botfactory;
using namespace std::chrono_literals;

namespace {

/// Records the request id its handler thread sees.
class Recorder : public auth::v1::AuthService::Service {
 public:
  grpc::Status GetUser(grpc::ServerContext*, const auth::v1::GetUserRequest*,
                       auth::v1::User*) override {
    std::lock_guard lock(mutex);
    seen = common::current_request_id();
    return grpc::Status::OK;
  }
  std::string last() {
    std::lock_guard lock(mutex);
    return seen;
  }

 private:
  std::mutex mutex;
  std::string seen = "unset";
};

}  // namespace

TEST_CASE("ScopedRequestId nests and restores; ids are cut at 64 bytes") {
  CHECK(common::current_request_id().empty());
  {
    common::ScopedRequestId outer("outer");
    CHECK(common::current_request_id() == "outer");
    {
      common::ScopedRequestId inner(std::string(100, 'x'));
      CHECK(common::current_request_id() == std::string(64, 'x'));
    }
    CHECK(common::current_request_id() == "outer");
  }
  CHECK(common::current_request_id().empty());
}

TEST_CASE("the request id reaches the handler thread and is not inherited by the next call") {
  Recorder service;
  rpc::Server server("127.0.0.1:0", {&service});
  auto stub =
      auth::v1::AuthService::NewStub(rpc::make_channel("127.0.0.1:" + std::to_string(server.port())));
  auth::v1::GetUserRequest request;
  auth::v1::User user;
  {
    common::ScopedRequestId scope("req-123");
    grpc::ClientContext context;
    rpc::set_deadline(context, 5000ms);
    REQUIRE(stub->GetUser(&context, request, &user).ok());
    CHECK(service.last() == "req-123");
  }
  for (int i = 0; i < 3; ++i) {  // whichever server thread takes it, it starts without an id
    grpc::ClientContext context;
    rpc::set_deadline(context, 5000ms);
    REQUIRE(stub->GetUser(&context, request, &user).ok());
    CHECK(service.last().empty());
  }
}

TEST_CASE("log lines carry the current request id as a JSON member") {
  // Capture stderr (the log sink) in a temporary file for the two lines.
  std::fflush(stderr);
  FILE* capture = std::tmpfile();
  REQUIRE(capture != nullptr);
  int saved = dup(fileno(stderr));
  REQUIRE(dup2(fileno(capture), fileno(stderr)) >= 0);
  {
    common::ScopedRequestId scope("req-\"42\"");
    common::logger("rid-test")->warn("inside");
  }
  common::logger("rid-test")->warn("outside");
  std::fflush(stderr);
  dup2(saved, fileno(stderr));
  close(saved);
  std::rewind(capture);
  std::string text;
  for (int c; (c = std::fgetc(capture)) != EOF;) text += static_cast<char>(c);
  std::fclose(capture);
  INFO(text);
  CHECK(text.find(R"("logger":"rid-test","request_id":"req-\"42\"","msg":"inside")") !=
        std::string::npos);
  CHECK(text.find(R"("logger":"rid-test","msg":"outside")") != std::string::npos);
}
