// Canned responses (saved replies) against real PostgreSQL and real gRPC (CannedResponseService
// served by channel-connector's real wiring): create, the case-folded duplicate short code,
// field rules, edit, delete, list and search, tenant isolation, and the per-tenant bound
// (CANNED_RESPONSES_MAX) under concurrent creates.

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "botfactory/chat/v1/canned_responses.grpc.pb.h"
#include "botfactory/rpc/client.hpp"
#include "canned/canned_responses.hpp"
#include "channel_app.hpp"
#include "fake_services.hpp"

namespace chatv1 = botfactory::chat::v1;
using botfactory::channel::CannedResponses;
using namespace botfactory::channel::testing_support;

namespace {

/// The harness (CannedResponseService on its gRPC server, as main() serves it) and a client.
struct CannedFixture {
  explicit CannedFixture(int max = 500)
      : h([max](botfactory::channel::ChannelSettings& s) {
          s.pipeline_threads = 1;
          s.canned_max_per_tenant = max;
        }) {}
  Harness h;
  std::unique_ptr<chatv1::CannedResponseService::Stub> stub =
      chatv1::CannedResponseService::NewStub(botfactory::rpc::make_channel(h.address()));

  grpc::Status create(const std::string& tenant, const std::string& code, const std::string& content,
                      chatv1::CannedResponse* out = nullptr) {
    grpc::ClientContext context;
    botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
    chatv1::CreateCannedResponseRequest request;
    request.set_tenant_id(tenant);
    request.set_short_code(code);
    request.set_content(content);
    chatv1::CannedResponse ignored;
    return stub->CreateCannedResponse(&context, request, out ? out : &ignored);
  }
  grpc::Status update(const std::string& tenant, const std::string& id,
                      std::optional<std::string> code, std::optional<std::string> content,
                      chatv1::CannedResponse* out = nullptr) {
    grpc::ClientContext context;
    botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
    chatv1::UpdateCannedResponseRequest request;
    request.set_tenant_id(tenant);
    request.set_id(id);
    if (code) request.set_short_code(*code);
    if (content) request.set_content(*content);
    chatv1::CannedResponse ignored;
    return stub->UpdateCannedResponse(&context, request, out ? out : &ignored);
  }
  grpc::Status remove(const std::string& tenant, const std::string& id) {
    grpc::ClientContext context;
    botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
    chatv1::DeleteCannedResponseRequest request;
    request.set_tenant_id(tenant);
    request.set_id(id);
    chatv1::DeleteCannedResponseResponse response;
    return stub->DeleteCannedResponse(&context, request, &response);
  }
  chatv1::ListCannedResponsesResponse list(const std::string& tenant, const std::string& query = {}) {
    grpc::ClientContext context;
    botfactory::rpc::set_deadline(context, std::chrono::seconds(10));
    chatv1::ListCannedResponsesRequest request;
    request.set_tenant_id(tenant);
    request.set_query(query);
    chatv1::ListCannedResponsesResponse response;
    auto status = stub->ListCannedResponses(&context, request, &response);
    REQUIRE(status.ok());
    return response;
  }
};

std::vector<std::string> codes(const chatv1::ListCannedResponsesResponse& r) {
  std::vector<std::string> out;
  for (const auto& c : r.canned_responses()) out.push_back(c.short_code());
  return out;
}

}  // namespace

TEST_CASE("canned: short codes fold to [a-z0-9_-]{1,32}; content rules") {
  CHECK(CannedResponses::fold_short_code("Refund_2-X") == "refund_2-x");
  CHECK_THROWS(CannedResponses::fold_short_code(""));
  CHECK_THROWS(CannedResponses::fold_short_code(std::string(33, 'a')));
  CHECK_NOTHROW(CannedResponses::fold_short_code(std::string(32, 'a')));
  CHECK_THROWS(CannedResponses::fold_short_code("re fund"));
  CHECK_THROWS(CannedResponses::fold_short_code("/refund"));
  CHECK_THROWS(CannedResponses::fold_short_code("возврат"));
  CHECK_NOTHROW(CannedResponses::check_content("Line one\nLine two — Привет {{visitor.name}}"));
  CHECK_THROWS(CannedResponses::check_content(""));
  CHECK_THROWS(CannedResponses::check_content(" \n "));
  CHECK_THROWS(CannedResponses::check_content("tab\there"));
  CHECK_THROWS(CannedResponses::check_content("cr\r\nlf"));
  CHECK_THROWS(CannedResponses::check_content(std::string("nul\0x", 5)));
  CHECK_THROWS(CannedResponses::check_content("\xff\xfe"));
  std::string most;
  for (int i = 0; i < 2000; ++i) most += "я";  // 2000 code points, 4000 bytes
  CHECK_NOTHROW(CannedResponses::check_content(most));
  CHECK_THROWS(CannedResponses::check_content(most + "x"));
}

TEST_CASE("canned: create, case-folded duplicate, edit, delete, search, tenant isolation") {
  CannedFixture f;
  const std::string tenant = random_uuid();
  const std::string other = random_uuid();

  chatv1::CannedResponse refund;
  REQUIRE(f.create(tenant, "Refund", "Hi {{visitor.name}}, your refund is on its way.", &refund).ok());
  CHECK(refund.short_code() == "refund");
  CHECK(refund.id().size() == 36);
  CHECK(refund.created_at().seconds() > 0);

  // The same code in another case is a duplicate; another tenant may use it.
  auto dup = f.create(tenant, "REFUND", "Another text");
  CHECK(dup.error_code() == grpc::StatusCode::ALREADY_EXISTS);
  CHECK(dup.error_message().rfind("canned_duplicate: ", 0) == 0);
  REQUIRE(f.create(other, "refund", "Other tenant's refund text").ok());

  // Field rules reach the caller as INVALID_ARGUMENT; nothing is stored.
  CHECK(f.create(tenant, "bad code", "x").error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(f.create(tenant, "ok", "").error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(f.create(tenant, "ok", "a\x01z").error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(f.create("", "ok", "x").error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(f.create("not-a-uuid", "ok", "x").error_code() == grpc::StatusCode::INVALID_ARGUMENT);

  chatv1::CannedResponse hours, greet;
  REQUIRE(f.create(tenant, "hours", "We are open 9–18, Monday to Friday.", &hours).ok());
  REQUIRE(f.create(tenant, "greet", "Здравствуйте! Чем помочь? Ask about a REFUND any time.", &greet).ok());

  // List: all, by short code; search: code prefix first (a leading "/" ignored), then content.
  auto all = f.list(tenant);
  CHECK(codes(all) == std::vector<std::string>{"greet", "hours", "refund"});
  CHECK(all.total() == 3);
  CHECK(all.max() == 500);
  CHECK(codes(f.list(tenant, "/REF")) == std::vector<std::string>{"refund", "greet"});
  CHECK(codes(f.list(tenant, "monday")) == std::vector<std::string>{"hours"});
  CHECK(codes(f.list(tenant, "ЧЕМ ПОМОЧЬ")) == std::vector<std::string>{"greet"});
  CHECK(codes(f.list(tenant, "nothing like this")).empty());
  CHECK(f.list(tenant, "nothing").total() == 3);
  CHECK(codes(f.list(other)) == std::vector<std::string>{"refund"});

  // Edit: content only, code only (folded), a taken code, a bad field.
  chatv1::CannedResponse edited;
  REQUIRE(f.update(tenant, hours.id(), std::nullopt, "Open 9–20 every day.", &edited).ok());
  CHECK(edited.short_code() == "hours");
  CHECK(edited.content() == "Open 9–20 every day.");
  REQUIRE(f.update(tenant, hours.id(), "Opening-Hours", std::nullopt, &edited).ok());
  CHECK(edited.short_code() == "opening-hours");
  CHECK(edited.content() == "Open 9–20 every day.");
  auto taken = f.update(tenant, hours.id(), "Refund", std::nullopt);
  CHECK(taken.error_code() == grpc::StatusCode::ALREADY_EXISTS);
  CHECK(f.update(tenant, hours.id(), std::nullopt, "").error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);

  // Another tenant's id looks unknown for edit and delete, and nothing changes.
  CHECK(f.update(other, hours.id(), std::nullopt, "hijacked").error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(f.remove(other, hours.id()).error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(f.update(tenant, "not-a-uuid", std::nullopt, "x").error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(f.remove(tenant, random_uuid()).error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(f.h.count("SELECT count(*) FROM chat.canned_responses WHERE content = 'hijacked'") == 0);

  // Delete: gone, and its code is free again.
  REQUIRE(f.remove(tenant, refund.id()).ok());
  CHECK(f.remove(tenant, refund.id()).error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(codes(f.list(tenant)) == std::vector<std::string>{"greet", "opening-hours"});
  CHECK(f.create(tenant, "refund", "Back again").ok());
  CHECK(codes(f.list(other)) == std::vector<std::string>{"refund"});
}

TEST_CASE("canned: the per-tenant bound holds under concurrent creates") {
  CannedFixture f(5);
  const std::string tenant = random_uuid();
  const std::string other = random_uuid();
  std::atomic<int> created{0}, limited{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto status = f.create(tenant, "code-" + std::to_string(i), "text " + std::to_string(i));
      if (status.ok()) ++created;
      if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION &&
          status.error_message().rfind("canned_limit: ", 0) == 0) {
        ++limited;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(created == 5);
  CHECK(limited == 3);
  CHECK(f.list(tenant).total() == 5);
  CHECK(f.list(tenant).max() == 5);
  // The bound is per tenant: another tenant still has room; a delete makes room again.
  CHECK(f.create(other, "code-1", "text").ok());
  auto rows = f.list(tenant);
  REQUIRE(f.remove(tenant, rows.canned_responses(0).id()).ok());
  CHECK(f.create(tenant, "code-again", "text").ok());
  CHECK(f.create(tenant, "code-over", "text").error_code() == grpc::StatusCode::FAILED_PRECONDITION);
}
