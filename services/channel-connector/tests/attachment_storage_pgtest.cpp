// tidy: the per-tenant attachment storage quota and the attachment sweeper against real
// PostgreSQL, the local attachment store and channel-connector's real wiring (cct::Harness):
// a refusal stores nothing and leaves the total alone; deleted conversations' and orphaned
// uploads' files (and thumbnails) leave the store and the database, their bytes given back;
// two sweepers at once give every byte back exactly once; an unknown uploader kind is refused.

#include <catch2/catch.hpp>

#include <thread>

#include "attachments/attachment_repository.hpp"
#include "attachments/attachment_service.hpp"
#include "attachments/attachment_sweeper.hpp"
#include "attachments/attachment_sweep_repository.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/rpc/status.hpp"
#include "channel_app.hpp"
#include "fake_services.hpp"
#include "attachments/image_thumbnailer.hpp"
#include "attachments/local_attachment_store.hpp"
#include "test_files.hpp"

namespace cc = botfactory::channel;
namespace chatv1 = botfactory::chat::v1;
namespace commonv1 = botfactory::common::v1;
using namespace botfactory::channel::testing_support;

namespace {

chatv1::UploadAttachmentResponse upload(Harness& h, const std::string& tenant,
                                        const std::string& conversation, const std::string& name,
                                        const std::string& content) {
  chatv1::UploadAttachmentRequest request;
  request.set_tenant_id(tenant);
  request.set_conversation_id(conversation);
  request.set_sender_kind(commonv1::SENDER_KIND_OPERATOR);
  request.set_sender_id("operator-1");
  request.set_sender_name("Olga");
  request.set_client_id("c-" + botfactory::common::random_base62(10));
  request.set_file_name(name);
  request.set_content(content);
  return h.app().attachments().upload(request);
}

grpc::StatusCode status_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const botfactory::rpc::StatusError& e) {
    return e.code();
  }
  return grpc::StatusCode::OK;
}

/// harden: the bytes of the thumbnail channel-connector makes of `image` (default settings).
std::int64_t thumbnail_size(const std::string& image) {
  cc::ImageThumbnailer thumbnailer({});
  return static_cast<std::int64_t>(thumbnailer.thumbnail(image).size());
}

std::int64_t used(Harness& h, const std::string& tenant) {
  return h.count("SELECT COALESCE((SELECT used_bytes FROM chat.tenant_storage WHERE tenant_id = $1), 0)",
                 {tenant});
}

}  // namespace

TEST_CASE("storage quota: an upload past the plan's storage is refused before any byte is stored") {
  Harness h;
  const std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id()).id();
  auto png = make_png(64, 48, 48);
  const std::int64_t pdf_size = static_cast<std::int64_t>(std::string(kPdf).size());
  const std::int64_t thumb = thumbnail_size(png);
  h.subscription.max_storage_bytes = static_cast<std::int64_t>(png.size()) + thumb + pdf_size + 10;

  auto first = upload(h, tenant, conversation, "cat.png", png);
  REQUIRE(first.refusal() == chatv1::ATTACHMENT_REFUSAL_NONE);
  auto second = upload(h, tenant, conversation, "a.pdf", kPdf);
  REQUIRE(second.refusal() == chatv1::ATTACHMENT_REFUSAL_NONE);
  const auto files = h.stored_files();
  CHECK(files == 3);  // the PNG, its thumbnail, the PDF
  const auto total = used(h, tenant);
  CHECK(total == static_cast<std::int64_t>(png.size()) + thumb + pdf_size);  // the thumbnail counts

  // 11 bytes of headroom: the next PDF does not fit.
  auto refused = upload(h, tenant, conversation, "b.pdf", kPdf);
  CHECK(refused.refusal() == chatv1::ATTACHMENT_REFUSAL_STORAGE_QUOTA);
  CHECK_THAT(refused.refusal_message(), Catch::Contains("storage is full"));
  CHECK(refused.storage_used_bytes() == total);
  CHECK(refused.max_storage_bytes() == h.subscription.max_storage_bytes);
  CHECK(h.stored_files() == files);
  CHECK(used(h, tenant) == total);
  CHECK(h.count("SELECT count(*) FROM chat.attachments") == 2);

  // Another tenant has its own total.
  const std::string other = random_uuid();
  auto other_bot = h.registry.add_bot(other, "Other", "en", "");
  auto other_conversation = h.create_conversation(other, other_bot.id()).id();
  CHECK(upload(h, other, other_conversation, "a.pdf", kPdf).refusal() == chatv1::ATTACHMENT_REFUSAL_NONE);

  // GetAttachmentLimit reports the total and the allowance.
  chatv1::GetAttachmentLimitRequest limit_request;
  limit_request.set_tenant_id(tenant);
  auto limit = h.app().attachments().limit(limit_request);
  CHECK(limit.storage_used_bytes() == total);
  CHECK(limit.max_storage_bytes() == h.subscription.max_storage_bytes);
}

TEST_CASE("storage quota: a generated thumbnail counts in the tenant's storage and is given back with its file (harden)") {
  Harness h([](cc::ChannelSettings& s) { s.attachment_sweep.interval = std::chrono::milliseconds(0); });
  const std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id()).id();
  auto png = make_png(64, 48, 48);
  const std::int64_t original = static_cast<std::int64_t>(png.size());
  const std::int64_t thumb = thumbnail_size(png);
  REQUIRE(thumb > 0);

  // Room for the original but not for its thumbnail: refused, nothing stored, nothing counted.
  h.subscription.max_storage_bytes = original + thumb - 1;
  auto refused = upload(h, tenant, conversation, "cat.png", png);
  CHECK(refused.refusal() == chatv1::ATTACHMENT_REFUSAL_STORAGE_QUOTA);
  CHECK(h.stored_files() == 0);
  CHECK(used(h, tenant) == 0);

  // Room for both: stored, and the total is original + thumbnail (what the store holds).
  h.subscription.max_storage_bytes = original + thumb;
  auto stored = upload(h, tenant, conversation, "cat.png", png);
  REQUIRE(stored.refusal() == chatv1::ATTACHMENT_REFUSAL_NONE);
  REQUIRE(stored.attachment().has_thumbnail());
  chatv1::GetAttachmentRequest get;
  get.set_tenant_id(tenant);
  get.set_attachment_id(stored.attachment().id());
  get.set_user_id("operator-1");
  get.set_thumbnail(true);
  CHECK(static_cast<std::int64_t>(h.app().attachments().get(get).content().size()) == thumb);
  CHECK(used(h, tenant) == original + thumb);
  CHECK(h.count("SELECT thumbnail_bytes FROM chat.attachments WHERE id = $1", {stored.attachment().id()}) == thumb);
  chatv1::GetAttachmentLimitRequest limit_request;
  limit_request.set_tenant_id(tenant);
  CHECK(h.app().attachments().limit(limit_request).storage_used_bytes() == original + thumb);

  // Deleted: the sweeper gives back both, once.
  h.count("WITH d AS (DELETE FROM chat.conversations WHERE id = $1 RETURNING 1) SELECT count(*) FROM d",
          {conversation});
  CHECK(h.app().attachment_sweeper().run_once() == 1);
  CHECK(h.stored_files() == 0);
  CHECK(used(h, tenant) == 0);
}

TEST_CASE("sweeper: a deleted conversation's files and an orphaned upload leave the store and the rows") {
  Harness h([](cc::ChannelSettings& s) { s.attachment_sweep.interval = std::chrono::milliseconds(0); });
  const std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto doomed = h.create_conversation(tenant, bot.id()).id();
  auto kept = h.create_conversation(tenant, bot.id()).id();
  auto png = make_png(64, 48, 48);
  REQUIRE(upload(h, tenant, doomed, "cat.png", png).refusal() == chatv1::ATTACHMENT_REFUSAL_NONE);
  REQUIRE(upload(h, tenant, doomed, "a.pdf", kPdf).refusal() == chatv1::ATTACHMENT_REFUSAL_NONE);
  auto kept_upload = upload(h, tenant, kept, "b.pdf", kPdf);
  REQUIRE(kept_upload.refusal() == chatv1::ATTACHMENT_REFUSAL_NONE);
  REQUIRE(h.stored_files() == 4);
  const std::int64_t pdf_size = static_cast<std::int64_t>(std::string(kPdf).size());
  CHECK(used(h, tenant) == static_cast<std::int64_t>(png.size()) + thumbnail_size(png) + 2 * pdf_size);

  // Deleting the conversation cascades to its attachment rows; the trigger queues their files.
  h.count("WITH d AS (DELETE FROM chat.conversations WHERE id = $1 RETURNING 1) SELECT count(*) FROM d",
          {doomed});
  CHECK(h.count("SELECT count(*) FROM chat.attachment_sweep") == 2);
  CHECK(h.stored_files() == 4);  // nothing deleted from the store yet

  CHECK(h.app().attachment_sweeper().run_once() == 2);
  CHECK(h.stored_files() == 1);  // the PNG, its thumbnail and the PDF are gone
  CHECK(h.count("SELECT count(*) FROM chat.attachment_sweep") == 0);
  CHECK(h.count("SELECT count(*) FROM chat.attachments") == 1);
  CHECK(used(h, tenant) == pdf_size);

  // An upload whose message never committed (message_id NULL) is an orphan after an hour.
  h.count("WITH u AS (UPDATE chat.attachments SET message_id = NULL, "
          "created_at = now() - interval '2 hours' WHERE id = $1 RETURNING 1) SELECT count(*) FROM u",
          {kept_upload.attachment().id()});
  CHECK(h.app().attachment_sweeper().run_once() == 1);
  CHECK(h.stored_files() == 0);
  CHECK(h.count("SELECT count(*) FROM chat.attachments") == 0);
  CHECK(used(h, tenant) == 0);
  CHECK(h.app().attachment_sweeper().run_once() == 0);
}

TEST_CASE("sweeper: two replicas at once take disjoint batches and give every byte back once") {
  Harness h([](cc::ChannelSettings& s) { s.attachment_sweep.interval = std::chrono::milliseconds(0); });
  const std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  constexpr int kConversations = 6;
  constexpr int kFilesEach = 5;
  for (int c = 0; c < kConversations; ++c) {
    auto conversation = h.create_conversation(tenant, bot.id()).id();
    for (int i = 0; i < kFilesEach; ++i) {
      REQUIRE(upload(h, tenant, conversation, "f.pdf", kPdf).refusal() == chatv1::ATTACHMENT_REFUSAL_NONE);
    }
  }
  const std::int64_t pdf_size = static_cast<std::int64_t>(std::string(kPdf).size());
  REQUIRE(used(h, tenant) == kConversations * kFilesEach * pdf_size);
  h.count("WITH d AS (DELETE FROM chat.conversations WHERE tenant_id = $1 RETURNING 1) SELECT count(*) FROM d",
          {tenant});
  REQUIRE(h.count("SELECT count(*) FROM chat.attachment_sweep") == kConversations * kFilesEach);

  // A second replica: its own repository and store over the same database and directory.
  cc::SweepSettings settings;
  settings.batch = 3;
  settings.interval = std::chrono::milliseconds(0);
  cc::AttachmentSweepRepository rows_a(h.pool()), rows_b(h.pool());
  cc::LocalAttachmentStore store_a(h.attachments_dir().string()), store_b(h.attachments_dir().string());
  botfactory::metrics::Registry metrics_a, metrics_b;
  cc::AttachmentSweeper a(rows_a, store_a, settings, metrics_a), b(rows_b, store_b, settings, metrics_b);
  int swept_a = 0, swept_b = 0;
  std::thread other([&] {
    for (int i = 0; i < 20; ++i) swept_b += b.run_once();
  });
  for (int i = 0; i < 20; ++i) swept_a += a.run_once();
  other.join();
  CHECK(swept_a + swept_b == kConversations * kFilesEach);
  CHECK(h.stored_files() == 0);
  CHECK(h.count("SELECT count(*) FROM chat.attachment_sweep") == 0);
  CHECK(used(h, tenant) == 0);
}

TEST_CASE("attachment rows: an unknown uploader kind is refused, not stored as an operator") {
  Harness h;
  const std::string tenant = random_uuid();
  auto bot = h.registry.add_bot(tenant, "Helper", "en", "");
  auto conversation = h.create_conversation(tenant, bot.id()).id();
  cc::AttachmentRepository rows(h.pool());
  cc::AttachmentRecord record;
  record.attachment.set_id(random_uuid());
  record.attachment.set_conversation_id(conversation);
  record.attachment.set_uploader_kind(commonv1::SENDER_KIND_UNSPECIFIED);
  record.attachment.set_uploader_id("x");
  record.attachment.set_media_type("application/pdf");
  record.attachment.set_size_bytes(10);
  record.attachment.set_sha256(std::string(64, 'a'));
  record.attachment.set_original_name("a.pdf");
  record.tenant_id = tenant;
  record.storage_key = conversation + "/" + record.attachment.id();
  CHECK(status_of([&] { rows.insert(record); }) == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(h.count("SELECT count(*) FROM chat.attachments") == 0);
  record.attachment.set_uploader_kind(commonv1::SENDER_KIND_BOT);
  rows.insert(record);
  auto found = rows.find(record.attachment.id(), tenant);
  REQUIRE(found);
  CHECK(found->attachment.uploader_kind() == commonv1::SENDER_KIND_BOT);
}
