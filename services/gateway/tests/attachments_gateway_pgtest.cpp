// Attachments (issue 11 "Files") through the real gateway and the real channel-connector (in
// process, fresh database, test Redis, a temporary ATTACHMENTS_DIR): uploads of PNG / JPEG /
// PDF, real-type refusals (415), the plan's cap before the body is read (413, nothing stored),
// members only (403 / 404), download headers, thumbnails bounded to 320 px, a pixel bomb (422).

#include <catch2/catch.hpp>

#include "botfactory/rpc/client.hpp"
#include "channel_app.hpp"
#include "chat/chat_service.hpp"
#include "fake_services.hpp"
#include "fake_upstreams.hpp"
#include "gateway_fleet.hpp"
#include "attachments/image_thumbnailer.hpp"
#include "rest/attachments_rest.hpp"
#include "rooms/room_service.hpp"
#include "test_files.hpp"

using namespace botfactory::gateway_test;
namespace common = botfactory::common;
namespace pg = botfactory::pg;
namespace rpc = botfactory::rpc;
namespace metrics = botfactory::metrics;
namespace testenv = botfactory::testenv;
namespace gateway = botfactory::gateway;
namespace cc = botfactory::channel;
namespace cct = botfactory::channel::testing_support;
namespace chat = botfactory::chat;
using cct::kPdf;
using cct::make_png;

namespace {

/// channel-connector's real wiring served over gRPC (the shared cct::Harness), attachments in a
/// fresh directory, one pipeline thread, a 4-megapixel decode limit.
struct ChannelConnector : cct::Harness {
  ChannelConnector()
      : cct::Harness([](cc::ChannelSettings& s) {
          s.pipeline_threads = 1;
          s.thumbnails.max_pixels = 4'000'000;
        }) {}
  std::int64_t attachment_rows() { return count("SELECT count(*) FROM chat.attachments"); }
};

std::string multipart(const std::string& boundary, const std::string& file_name,
                      const std::string& content, const std::string& caption = {}) {
  std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
                     file_name + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n";
  if (!caption.empty()) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\n" + caption + "\r\n";
  }
  return body + "--" + boundary + "--\r\n";
}

HttpResult upload(unsigned short port, const std::string& conversation, const std::string& token,
                  const std::string& file_name, const std::string& content) {
  const std::string boundary = "bfboundary42";
  return http_call(port, http::verb::post, "/api/v1/conversations/" + conversation + "/attachments",
                   multipart(boundary, file_name, content), token,
                   "multipart/form-data; boundary=" + boundary);
}

std::string new_conversation(ChannelConnector& connector, const std::string& tenant, const std::string& bot) {
  chat::v1::CreateConversationRequest request;
  request.set_tenant_id(tenant);
  request.set_bot_id(bot);
  request.set_channel("web");
  request.set_visitor_name("Ann");
  return connector.app().chat().create_conversation(request).id();
}

}  // namespace

TEST_CASE("attachments: upload, real type, plan cap, members only, download headers, thumbnails") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  ChannelConnector connector;
  Instance gateway{fakes.address(), [&](gateway::GatewaySettings& s) { s.channel_addr = connector.address(); }};
  auto port = gateway.port();
  const std::string tenant = common::random_uuid();
  auto bot = connector.registry.add_bot(tenant, "Help", "en", "");
  auto conversation = new_conversation(connector, tenant, bot.id());
  auto visitor = visitor_token(fakes, tenant, bot.id(), conversation);
  auto user = user_token(fakes, tenant);
  auto png = make_png(640, 480, 480);
  cc::ImageThumbnailer thumbnailer({});

  // A visitor sends a PNG: stored, carried by a message, with a thumbnail.
  auto r = upload(port, conversation, visitor, "cat.png", png);
  REQUIRE(r.status == 201);
  auto a = r.json().at("attachment").as_object();
  CHECK(a.at("media_type").as_string() == "image/png");
  CHECK(a.at("size_bytes").as_int64() == static_cast<std::int64_t>(png.size()));
  CHECK(a.at("width").as_int64() == 640);
  CHECK(a.at("has_thumbnail").as_bool());
  std::string png_id(a.at("id").as_string());
  CHECK(connector.stored_files() == 2);

  // Download: the bytes and the headers.
  r = http_call(port, http::verb::get, "/api/v1/attachments/" + png_id, {}, visitor);
  REQUIRE(r.status == 200);
  CHECK(r.body == png);
  CHECK(r.raw[http::field::content_type] == "image/png");
  CHECK(r.raw["X-Content-Type-Options"] == "nosniff");
  CHECK(r.raw["Content-Security-Policy"] == "default-src 'none'; sandbox");
  CHECK(r.raw["Content-Disposition"] == "inline; filename=\"cat.png\"; filename*=UTF-8''cat.png");
  CHECK(r.raw[http::field::cache_control].find("private") != std::string::npos);

  // The thumbnail: a JPEG within 320 px.
  r = http_call(port, http::verb::get, "/api/v1/attachments/" + png_id + "/thumbnail", {}, user);
  REQUIRE(r.status == 200);
  CHECK(r.raw[http::field::content_type] == "image/jpeg");
  auto thumb = thumbnailer.probe(r.body);
  REQUIRE(thumb);
  CHECK(thumb->width == 320);
  CHECK(thumb->height == 240);

  // The message carries it (REST history).
  r = http_call(port, http::verb::get, "/api/v1/conversations/" + conversation + "/messages", {}, user);
  REQUIRE(r.status == 200);
  bool carried = false;
  auto listed = r.json();
  for (const auto& m : listed.at("messages").as_array()) {
    if (auto* at = m.as_object().if_contains("attachment")) carried |= at->at("id").as_string() == png_id;
  }
  CHECK(carried);

  // A JPEG as raw bytes from an operator, and a PDF (served as a download).
  auto jpeg = thumbnailer.thumbnail(png);
  r = http_call(port, http::verb::post,
                "/api/v1/conversations/" + conversation + "/attachments?name=photo.JPG", jpeg, user,
                "application/octet-stream");
  REQUIRE(r.status == 201);
  CHECK(r.json().at("attachment").at("media_type").as_string() == "image/jpeg");
  r = upload(port, conversation, visitor, "счёт 1.pdf", kPdf);
  REQUIRE(r.status == 201);
  std::string pdf_id(r.json().at("attachment").at("id").as_string());
  CHECK_FALSE(r.json().at("attachment").at("has_thumbnail").as_bool());
  r = http_call(port, http::verb::get, "/api/v1/attachments/" + pdf_id, {}, user);
  REQUIRE(r.status == 200);
  CHECK(r.raw[http::field::content_type] == "application/pdf");
  CHECK(r.raw["Content-Disposition"] ==
        "attachment; filename=\"____ 1.pdf\"; filename*=UTF-8''%D1%81%D1%87%D1%91%D1%82%201.pdf");
  r = http_call(port, http::verb::get, "/api/v1/attachments/" + pdf_id + "/thumbnail", {}, user);
  CHECK(r.status == 404);

  // The real type decides: a PNG named .pdf, an HTML page named .png, a text file.
  auto files = connector.stored_files();
  auto rows = connector.attachment_rows();
  r = upload(port, conversation, visitor, "invoice.pdf", png);
  CHECK(r.status == 415);
  CHECK(r.error_code() == "unsupported_media_type");
  r = upload(port, conversation, visitor, "cat.png", "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>");
  CHECK(r.status == 415);
  r = upload(port, conversation, visitor, "notes", "just some words\n");
  CHECK(r.status == 415);

  // A pixel bomb: a 30000 × 30000 header over a few rows of data is refused before decoding.
  r = upload(port, conversation, visitor, "bomb.png", make_png(30000, 30000, 2));
  CHECK(r.status == 422);
  CHECK(r.error_code() == "image_too_large");
  CHECK(connector.stored_files() == files);
  CHECK(connector.attachment_rows() == rows);

  // Members only.
  auto other_conversation = new_conversation(connector, tenant, bot.id());
  r = upload(port, other_conversation, visitor, "cat.png", png);
  CHECK(r.status == 403);
  const std::string stranger_tenant = common::random_uuid();
  auto stranger = user_token(fakes, stranger_tenant);
  r = upload(port, conversation, stranger, "cat.png", png);
  CHECK(r.status == 404);
  r = http_call(port, http::verb::get, "/api/v1/attachments/" + png_id, {}, stranger);
  CHECK(r.status == 404);
  auto other_visitor = visitor_token(fakes, tenant, bot.id(), other_conversation);
  r = http_call(port, http::verb::get, "/api/v1/attachments/" + png_id, {}, other_visitor);
  CHECK(r.status == 404);
  r = http_call(port, http::verb::get, "/api/v1/attachments/" + png_id);
  CHECK(r.status == 401);

  // Over the plan's cap: 413 from the Content-Length alone (no body sent), nothing stored.
  connector.subscription.max_attachment_bytes = 100;
  auto head = request_head("POST", "/api/v1/conversations/" + conversation + "/attachments?name=big.png",
                           {{"Authorization", "Bearer " + visitor}, {"Content-Type", "image/png"}},
                           200000);
  auto refused = http_exchange(port, head);
  CHECK(refused.status == 413);
  CHECK(refused.body.find("payload_too_large") != std::string::npos);
  // No Content-Length (chunked): the body is cut at the plan's cap + framing while it streams.
  std::string chunked = "POST /api/v1/conversations/" + conversation +
                        "/attachments?name=big.png HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Authorization: Bearer " + visitor + "\r\nContent-Type: image/png\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n";
  std::string piece(40000, 'x');
  chunked += "9c40\r\n" + piece + "\r\n0\r\n\r\n";
  refused = http_exchange(port, chunked);
  CHECK(refused.status == 413);
  // A body within the framing allowance but over the 100-byte cap: channel-connector's exact check.
  r = upload(port, conversation, visitor, "cat.png", png);
  CHECK(r.status == 413);
  CHECK(connector.stored_files() == files);
  CHECK(connector.attachment_rows() == rows);
}

TEST_CASE("Content-Disposition filename* (RFC 5987)") {
  CHECK(gateway::content_disposition("inline", "a b\"c.png") ==
        "inline; filename=\"a b_c.png\"; filename*=UTF-8''a%20b%22c.png");
}

TEST_CASE("attachments: the tenant's storage allowance: 413 storage_quota_exceeded, nothing stored; "
          "subscriptions/current shows used and limit") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  ChannelConnector connector;
  Instance gateway{fakes.address(), [&](gateway::GatewaySettings& s) {
                     s.channel_addr = connector.address();
                     s.subscription_addr = connector.fakes_address();  // the plan lives there
                   }};
  auto port = gateway.port();
  const std::string tenant = common::random_uuid();
  auto bot = connector.registry.add_bot(tenant, "Help", "en", "");
  auto conversation = new_conversation(connector, tenant, bot.id());
  auto user = user_token(fakes, tenant);
  const auto pdf_size = static_cast<std::int64_t>(std::string(kPdf).size());
  connector.subscription.max_storage_bytes = pdf_size + pdf_size / 2;

  auto r = upload(port, conversation, user, "a.pdf", kPdf);
  REQUIRE(r.status == 201);
  r = upload(port, conversation, user, "b.pdf", kPdf);
  CHECK(r.status == 413);
  CHECK(r.error_code() == "storage_quota_exceeded");
  CHECK_THAT(r.body, Catch::Contains("attachment storage is full"));
  CHECK(connector.stored_files() == 1);
  CHECK(connector.attachment_rows() == 1);

  // harden: a Content-Length over the storage left (pdf_size / 2) is refused from the head
  // alone, before any body byte is sent (none is: the exchange would wait for it otherwise).
  auto head = request_head("POST", "/api/v1/conversations/" + conversation + "/attachments?name=c.pdf",
                           {{"Authorization", "Bearer " + user}, {"Content-Type", "application/pdf"}},
                           static_cast<std::size_t>(pdf_size));
  auto early = http_exchange(port, head, std::chrono::milliseconds(5000));
  CHECK(early.status == 413);
  CHECK_THAT(early.body, Catch::Contains("storage_quota_exceeded"));
  CHECK_THAT(early.body, Catch::Contains(std::to_string(pdf_size) + " of "));
  // multipart: framing (16 KiB) on top of what is left is allowed, one byte more is not.
  const auto left = connector.subscription.max_storage_bytes - pdf_size;
  head = request_head("POST", "/api/v1/conversations/" + conversation + "/attachments",
                      {{"Authorization", "Bearer " + user},
                       {"Content-Type", "multipart/form-data; boundary=bfboundary42"}},
                      static_cast<std::size_t>(left) + gateway::kAttachmentFramingBytes + 1);
  early = http_exchange(port, head, std::chrono::milliseconds(5000));
  CHECK(early.status == 413);
  CHECK_THAT(early.body, Catch::Contains("storage_quota_exceeded"));
  CHECK(connector.attachment_rows() == 1);

  r = http_call(port, http::verb::get, "/api/v1/subscriptions/current", {}, user);
  REQUIRE(r.status == 200);
  auto body = r.json();
  auto storage = body.at("quotas").at("storage_bytes").as_object();
  CHECK(storage.at("used").as_int64() == pdf_size);
  CHECK(storage.at("limit").as_int64() == connector.subscription.max_storage_bytes);
  CHECK(body.at("usage").at("storage_bytes").as_int64() == pdf_size);
  CHECK(body.at("plan").at("limits").at("max_storage_bytes").as_int64() ==
        connector.subscription.max_storage_bytes);
}

TEST_CASE("attachments in rooms: a signed-in user of the same tenant who is no member gets 404 for the file (harden)") {
  FakeUpstreams fakes{testenv::redis_host(), testenv::redis_port()};
  ChannelConnector connector;
  Instance gateway{fakes.address(), [&](gateway::GatewaySettings& s) { s.channel_addr = connector.address(); }};
  auto port = gateway.port();
  const std::string tenant = common::random_uuid();
  auto& rooms = connector.app().rooms();
  cc::Actor me{tenant, "user", kUserId, "me"};
  cc::Actor olga{tenant, "user", common::random_uuid(), "olga"};
  auto private_room = rooms.create(me, "Private", "", "private");  // me: its owner
  auto public_room = rooms.create(olga, "Lobby", "", "public");
  rooms.join(me, public_room.id(), "");
  auto member = user_token(fakes, tenant);
  botfactory::jwt::Claims claims;  // a signed-in user of the same tenant, in neither room
  claims.subject = "u-outsider";
  claims.tenant_id = tenant;
  auto outsider = fakes.signer().sign(claims, std::chrono::seconds(600));
  auto png = make_png(64, 48, 48);

  for (const auto* room : {&private_room, &public_room}) {
    INFO(room->visibility());
    auto r = upload(port, room->id(), member, "cat.png", png);
    REQUIRE(r.status == 201);
    std::string id(r.json().at("attachment").at("id").as_string());
    // The member reads the file and its thumbnail.
    CHECK(http_call(port, http::verb::get, "/api/v1/attachments/" + id, {}, member).status == 200);
    CHECK(http_call(port, http::verb::get, "/api/v1/attachments/" + id + "/thumbnail", {}, member).status == 200);
    // The tenant's other user, no member: 404 JSON for both, no bytes.
    r = http_call(port, http::verb::get, "/api/v1/attachments/" + id, {}, outsider);
    CHECK(r.status == 404);
    CHECK(r.error_code() == "not_found");
    CHECK(r.body.find("PNG") == std::string::npos);
    r = http_call(port, http::verb::get, "/api/v1/attachments/" + id + "/thumbnail", {}, outsider);
    CHECK(r.status == 404);
    CHECK(r.error_code() == "not_found");
    // Nor may it send a file there.
    CHECK(upload(port, room->id(), outsider, "cat.png", png).status == 404);
  }
  CHECK(connector.attachment_rows() == 2);
}
