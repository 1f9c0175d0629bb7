// bot-registry against hostile callers and inputs (issue 6), all real: PostgreSQL, the gRPC
// service, the subscription fake. Tenant required on every tenant-scoped RPC; a call whose
// caller gave up never commits; size checks before parsing; PDF uploads; allowed origins.

#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <thread>

#include "botfactory/metrics/registry.hpp"
#include "botfactory/pg/connection.hpp"
#include "botfactory/testenv/test_env.hpp"
#include "support/pdf_builder.hpp"
#include "support/registry_harness.hpp"

using namespace botfactory;
using namespace std::chrono_literals;
namespace v1 = botfactory::registry::v1;
using Stub = v1::BotRegistryService::Stub;
using Harness = registry::test::RegistryHarness;

namespace {

const std::string kTenant = "44444444-4444-4444-8444-444444444444";

/// AddDocument calls that ended with `code` (bot-registry's own counter).
std::uint64_t add_document_outcomes(grpc::StatusCode code) {
  return metrics::Registry::global()
      .counter("botfactory_registry_rpc_total", "BotRegistryService calls by RPC and status code",
               "rpc=\"AddDocument\",code=\"" + std::to_string(static_cast<int>(code)) + "\"")
      .value();
}

/// Waits up to 10 s for `done()`.
bool eventually(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

}  // namespace

TEST_CASE("every tenant-scoped RPC refuses an empty or malformed tenant with INVALID_ARGUMENT") {
  Harness h;
  auto bot = h.create_bot(kTenant, "Scoped");
  for (const auto& [tenant, message] : std::vector<std::pair<std::string, std::string>>{
           {"", "tenant_id is required"}, {"garbage", "tenant_id must be a UUID"}}) {
    INFO("tenant '" << tenant << "'");
    auto expect = [&, message = message](const grpc::Status& status) {
      CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
      CHECK(status.error_message() == message);
    };
    v1::Bot out;
    v1::CreateBotRequest create;
    create.set_tenant_id(tenant);
    create.set_name("x");
    expect(h.call(&Stub::CreateBot, create, &out));
    v1::GetBotRequest get;
    get.set_tenant_id(tenant);
    get.set_bot_id(bot.id());
    expect(h.call(&Stub::GetBot, get, &out));
    v1::ListBotsRequest list;
    list.set_tenant_id(tenant);
    v1::ListBotsResponse bots;
    expect(h.call(&Stub::ListBots, list, &bots));
    v1::UpdateBotRequest update;
    update.set_tenant_id(tenant);
    update.set_bot_id(bot.id());
    update.set_name("stolen");
    expect(h.call(&Stub::UpdateBot, update, &out));
    v1::DeleteBotRequest del;
    del.set_tenant_id(tenant);
    del.set_bot_id(bot.id());
    v1::DeleteBotResponse deleted;
    expect(h.call(&Stub::DeleteBot, del, &deleted));
    v1::AddDocumentRequest add;
    add.set_tenant_id(tenant);
    add.set_bot_id(bot.id());
    add.set_title("t");
    add.set_body("b");
    v1::Document document;
    expect(h.call(&Stub::AddDocument, add, &document));
    v1::ListDocumentsRequest list_docs;
    list_docs.set_tenant_id(tenant);
    list_docs.set_bot_id(bot.id());
    v1::ListDocumentsResponse documents;
    expect(h.call(&Stub::ListDocuments, list_docs, &documents));
    v1::DeleteDocumentRequest del_doc;
    del_doc.set_tenant_id(tenant);
    del_doc.set_bot_id(bot.id());
    del_doc.set_document_id(bot.id());
    v1::DeleteDocumentResponse doc_deleted;
    expect(h.call(&Stub::DeleteDocument, del_doc, &doc_deleted));
    v1::SearchKnowledgeRequest search;
    search.set_tenant_id(tenant);
    search.set_bot_id(bot.id());
    search.set_query("anything");
    v1::SearchKnowledgeResponse found;
    expect(h.call(&Stub::SearchKnowledge, search, &found));
  }
  CHECK(h.count("SELECT count(*) FROM registry.bots") == 1);
  CHECK(h.count("SELECT count(*) FROM registry.bots WHERE name = 'stolen'") == 0);
}

TEST_CASE("an upload whose caller gave up never commits (deadline and cancellation)") {
  Harness h;
  auto bot = h.create_bot(kTenant, "Slow path");
  for (bool cancel : {false, true}) {
    INFO((cancel ? "cancelled by the client" : "client deadline 300 ms"));
    auto outcome = cancel ? grpc::StatusCode::CANCELLED : grpc::StatusCode::DEADLINE_EXCEEDED;
    const auto before = add_document_outcomes(outcome);
    // The slow path: another transaction holds the bot's row lock, which AddDocument takes
    // before inserting (as a concurrent re-index would).
    pg::Connection blocker(h.db.conninfo());
    blocker.exec("BEGIN");
    blocker.exec("SELECT id FROM registry.bots WHERE id = $1::uuid FOR UPDATE", {bot.id()});

    v1::AddDocumentRequest add;
    add.set_tenant_id(kTenant);
    add.set_bot_id(bot.id());
    add.set_title(cancel ? "cancelled upload" : "late upload");
    add.set_body("Opening hours: nine to five, every day.");
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + (cancel ? 10s : 300ms));
    auto call = std::async(std::launch::async, [&] {
      v1::Document document;
      return h.stub->AddDocument(&context, add, &document);
    });
    if (cancel) {
      // Cancel once the handler is waiting for the lock.
      REQUIRE(eventually([&] {
        return h.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock' AND query LIKE 'SELECT language%'") > 0;
      }));
      context.TryCancel();
    }
    auto status = call.get();
    CHECK(status.error_code() == outcome);

    // The caller has its answer; now the lock goes away and the handler goes on. It must roll
    // back instead of committing.
    blocker.exec("COMMIT");
    REQUIRE(eventually([&] { return add_document_outcomes(outcome) == before + 1; }));
    CHECK(h.count("SELECT count(*) FROM registry.documents") == 0);
    CHECK(h.count("SELECT count(*) FROM registry.chunks") == 0);
  }
  // A caller that waits gets its document.
  h.add_document(bot, "patient upload", "Opening hours: nine to five.");
  CHECK(h.count("SELECT count(*) FROM registry.documents") == 1);
}

TEST_CASE("sizes are checked before any parsing") {
  registry::RegistrySettings settings;
  settings.max_document_bytes = 4096;
  Harness h(settings);
  auto bot = h.create_bot(kTenant, "Sizes");
  v1::AddDocumentRequest add;
  add.set_tenant_id(kTenant);
  add.set_bot_id(bot.id());
  add.set_title("big");
  add.set_format(v1::DOCUMENT_FORMAT_MARKDOWN);
  add.set_body(std::string(4097, '['));
  v1::Document document;
  auto status = h.call(&Stub::AddDocument, add, &document);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(status.error_message() == "the document is larger than 4096 bytes");
  // Over the plan: refused as such even though the content is not a PDF at all (never parsed).
  h.subscription.service.max_knowledge_bytes = 1000;
  add.set_format(v1::DOCUMENT_FORMAT_PDF);
  add.clear_body();
  add.set_content(std::string(2000, 'x'));
  status = h.call(&Stub::AddDocument, add, &document);
  CHECK(status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  // A 5 MiB upload reaches bot-registry (gRPC's default receive limit is 4 MiB;
  // RPC_MAX_MESSAGE_BYTES raises it): the answer is the plan's, not gRPC's.
  add.set_content(std::string(5 << 20, 'x'));
  status = h.call(&Stub::AddDocument, add, &document);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(status.error_message() == "the document is larger than 4096 bytes");
  add.set_content(std::string(500, 'x'));
  status = h.call(&Stub::AddDocument, add, &document);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(status.error_message() == "the file is not a valid PDF");
  // NUL characters are refused (PostgreSQL text cannot hold them).
  add.set_format(v1::DOCUMENT_FORMAT_TEXT);
  add.set_body(std::string("a\0b", 3));
  status = h.call(&Stub::AddDocument, add, &document);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(h.count("SELECT count(*) FROM registry.documents") == 0);
}

TEST_CASE("a PDF upload is stored with its text and found by search") {
  Harness h;
  auto bot = h.create_bot(kTenant, "PDF");
  auto pdf = registry_test::build_pdf({registry_test::text_content(
      {"Warranty", "Every kettle has a two year warranty from the day of purchase."})});
  v1::AddDocumentRequest add;
  add.set_tenant_id(kTenant);
  add.set_bot_id(bot.id());
  add.set_title("warranty.pdf");
  add.set_format(v1::DOCUMENT_FORMAT_PDF);
  add.set_content(pdf);
  auto document = h.call_ok(&Stub::AddDocument, add);
  CHECK(document.format() == v1::DOCUMENT_FORMAT_PDF);
  CHECK(document.size_bytes() == static_cast<std::int64_t>(pdf.size()));
  CHECK(document.chunk_count() >= 1);
  auto hits = h.search(bot, "kettle warranty");
  REQUIRE_FALSE(hits.empty());
  CHECK(hits[0].text().find("two year warranty") != std::string::npos);
  // A scan (no text layer) is refused clearly.
  add.set_content(registry_test::build_pdf({registry_test::drawing_content()}));
  v1::Document refused;
  auto status = h.call(&Stub::AddDocument, add, &refused);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(status.error_message() == "the PDF has no text layer (a scan?)");
  CHECK(h.count("SELECT count(*) FROM registry.documents") == 1);
}

TEST_CASE("allowed origins: canonicalised, validated, stored, updated, returned to the widget") {
  Harness h;
  v1::CreateBotRequest create;
  create.set_tenant_id(kTenant);
  create.set_name("Shop bot");
  create.add_allowed_origins("HTTPS://Shop.Example:443");
  create.add_allowed_origins(" http://localhost:8080 ");
  create.add_allowed_origins("https://shop.example");  // duplicate once canonical
  create.add_allowed_origins("http://[::1]:3000");
  auto bot = h.call_ok(&Stub::CreateBot, create);
  CHECK(std::vector<std::string>(bot.allowed_origins().begin(), bot.allowed_origins().end()) ==
        std::vector<std::string>{"https://shop.example", "http://localhost:8080", "http://[::1]:3000"});
  v1::GetBotByPublicIdRequest by_public;
  by_public.set_public_id(bot.public_id());
  CHECK(h.call_ok(&Stub::GetBotByPublicId, by_public).allowed_origins_size() == 3);

  // Absent: kept. Present and empty: any origin again.
  v1::UpdateBotRequest update;
  update.set_tenant_id(kTenant);
  update.set_bot_id(bot.id());
  update.set_name("Renamed");
  CHECK(h.call_ok(&Stub::UpdateBot, update).allowed_origins_size() == 3);
  update.mutable_allowed_origins()->add_origins("https://other.example:8443");
  auto updated = h.call_ok(&Stub::UpdateBot, update);
  REQUIRE(updated.allowed_origins_size() == 1);
  CHECK(updated.allowed_origins(0) == "https://other.example:8443");
  update.mutable_allowed_origins()->clear_origins();
  CHECK(h.call_ok(&Stub::UpdateBot, update).allowed_origins_size() == 0);

  for (const char* bad : {"ftp://shop.example", "https://shop.example/", "https://shop.example/path",
                          "null", "https://", "shop.example", "https://user@shop.example",
                          "https://shop.example:0", "https://shop.example:99999",
                          "https://sh op.example", "https://shop..example"}) {
    INFO(bad);
    v1::CreateBotRequest request;
    request.set_tenant_id(kTenant);
    request.set_name("bad");
    request.add_allowed_origins(bad);
    v1::Bot out;
    auto status = h.call(&Stub::CreateBot, request, &out);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(status.error_message().rfind("allowed_origins[0] is not an origin", 0) == 0);
  }
  v1::CreateBotRequest many;
  many.set_tenant_id(kTenant);
  many.set_name("many");
  for (int i = 0; i < 21; ++i) many.add_allowed_origins("https://s" + std::to_string(i) + ".example");
  v1::Bot out;
  CHECK(h.call(&Stub::CreateBot, many, &out).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(h.count("SELECT count(*) FROM registry.bots") == 1);
}
