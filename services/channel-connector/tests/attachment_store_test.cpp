// Attachment building blocks without a database: the real-type rules (libmagic), storage keys,
// the local store, and the S3 store against a tiny fake S3 server that verifies each request's
// AWS Signature Version 4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <sstream>

#include <catch2/catch.hpp>

#include "attachments/attachment_store.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/testenv/http_test_server.hpp"
#include "attachments/local_attachment_store.hpp"
#include "attachments/media_type.hpp"
#include "attachments/s3_attachment_store.hpp"

namespace cc = botfactory::channel;
namespace testenv = botfactory::testenv;

namespace {

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

std::string sha256_hex(const std::string& data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return hex(digest, sizeof digest);
}

std::string hmac(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length);
  return std::string(reinterpret_cast<char*>(out), length);
}

std::string field(const std::string& text, const std::string& name) {
  auto at = text.find(name + "=");
  if (at == std::string::npos) return {};
  at += name.size() + 1;
  auto end = text.find_first_of(", ", at);
  return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

/// An S3 bucket in memory that answers only correctly signed requests (403 otherwise).
class FakeS3 {
 public:
  FakeS3(std::string access_key, std::string secret)
      : access_key_(std::move(access_key)), secret_(std::move(secret)),
        server_([this](const testenv::HttpTestRequest& r, testenv::HttpTestConnection& c) { handle(r, c); }) {}
  std::string base_url() const { return server_.base_url(); }
  std::size_t objects() {
    std::lock_guard lock(mutex_);
    return objects_.size();
  }
  int refused() const { return refused_.load(); }

 private:
  bool signed_correctly(const testenv::HttpTestRequest& r) {
    auto header = [&](const std::string& name) {
      auto it = r.headers.find(name);
      return it == r.headers.end() ? std::string() : it->second;
    };
    auto authorization = header("authorization");
    if (authorization.rfind("AWS4-HMAC-SHA256 ", 0) != 0) return false;
    auto credential = field(authorization, "Credential");
    auto signed_headers = field(authorization, "SignedHeaders");
    auto signature = field(authorization, "Signature");
    auto slash = credential.find('/');
    if (slash == std::string::npos || credential.substr(0, slash) != access_key_) return false;
    auto scope = credential.substr(slash + 1);  // date/region/s3/aws4_request
    auto date = scope.substr(0, scope.find('/'));
    if (scope != date + "/us-east-1/s3/aws4_request") return false;
    if (header("x-amz-content-sha256") != sha256_hex(r.body)) return false;
    std::string canonical_headers;
    std::stringstream names(signed_headers);
    for (std::string name; std::getline(names, name, ';');) {
      canonical_headers += name + ":" + header(name) + "\n";
    }
    auto path = r.target.substr(0, r.target.find('?'));
    std::string canonical = r.method + "\n" + path + "\n\n" + canonical_headers + "\n" +
                            signed_headers + "\n" + header("x-amz-content-sha256");
    std::string to_sign = "AWS4-HMAC-SHA256\n" + header("x-amz-date") + "\n" + scope + "\n" +
                          sha256_hex(canonical);
    auto key = hmac(hmac(hmac(hmac("AWS4" + secret_, date), "us-east-1"), "s3"), "aws4_request");
    auto expected = hmac(key, to_sign);
    return signature == hex(reinterpret_cast<const unsigned char*>(expected.data()), expected.size());
  }

  void handle(const testenv::HttpTestRequest& r, testenv::HttpTestConnection& c) {
    if (!signed_correctly(r)) {
      ++refused_;
      return c.respond(403, "application/xml", "<Error><Code>SignatureDoesNotMatch</Code></Error>");
    }
    std::lock_guard lock(mutex_);
    if (r.method == "PUT") {
      objects_[r.target] = r.body;
      return c.respond(200, "application/xml", "");
    }
    if (r.method == "DELETE") {
      objects_.erase(r.target);
      return c.respond(204, "application/xml", "");
    }
    auto it = objects_.find(r.target);
    if (it == objects_.end()) return c.respond(404, "application/xml", "<Error><Code>NoSuchKey</Code></Error>");
    c.respond(200, "application/octet-stream", it->second);
  }

  std::string access_key_;
  std::string secret_;
  std::mutex mutex_;
  std::map<std::string, std::string> objects_;
  std::atomic<int> refused_{0};
  testenv::HttpTestServer server_;
};

}  // namespace

TEST_CASE("real type from the content; the extension must agree") {
  const std::string png_head("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0", 33);
  CHECK(cc::detect_media_type(png_head) == "image/png");
  CHECK(cc::detect_media_type("%PDF-1.4\n%%EOF\n") == "application/pdf");
  CHECK(cc::detect_media_type("<!DOCTYPE html><html><body>x</body></html>") == "text/html");
  CHECK(cc::detect_media_type(std::string("GIF89a\x01\0\x01\0\0\0\0", 13)) == "image/gif");
  CHECK(cc::allowed_attachment_type("image/webp"));
  CHECK_FALSE(cc::allowed_attachment_type("text/html"));
  CHECK_FALSE(cc::allowed_attachment_type("image/svg+xml"));
  CHECK(cc::extension_matches("Photo.JPEG", "image/jpeg"));
  CHECK(cc::extension_matches("scan", "application/pdf"));
  CHECK_FALSE(cc::extension_matches("invoice.pdf", "image/png"));
  CHECK_FALSE(cc::extension_matches("cat.png.html", "image/png"));
}

TEST_CASE("storage keys cannot leave the store's root") {
  CHECK(cc::valid_attachment_key("0b6e5c1e-0d1f-4c55-9a5e-6e0f4d2b1a00/4f1c.thumb"));
  CHECK_FALSE(cc::valid_attachment_key("../etc/passwd"));
  CHECK_FALSE(cc::valid_attachment_key("/abs"));
  CHECK_FALSE(cc::valid_attachment_key("a/../../b"));
  CHECK_FALSE(cc::valid_attachment_key("A B"));
  CHECK_FALSE(cc::valid_attachment_key(""));
  auto dir = std::filesystem::temp_directory_path() / ("bf-store-" + botfactory::common::random_base62(8));
  {
    cc::LocalAttachmentStore store(dir);
    store.put("c1/a1", "bytes");
    CHECK(store.get("c1/a1") == std::optional<std::string>("bytes"));
    CHECK_FALSE(store.get("c1/missing"));
    CHECK_THROWS_AS(store.put("../x", "y"), std::invalid_argument);
    store.remove("c1/a1");
    CHECK_FALSE(store.get("c1/a1"));
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("S3 store: SigV4-signed PUT / GET / DELETE against a fake S3") {
  FakeS3 s3("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  cc::AttachmentStoreSettings settings;
  settings.kind = "s3";
  settings.s3_endpoint = s3.base_url() + "/";
  settings.s3_bucket = "files";
  settings.s3_access_key = "AKIDEXAMPLE";
  settings.s3_secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  auto store = cc::make_attachment_store(settings);
  std::string bytes("\x89PNG\0binary\xff", 12);
  store->put("c1/a1", bytes);
  CHECK(s3.objects() == 1);
  CHECK(store->get("c1/a1") == std::optional<std::string>(bytes));
  CHECK_FALSE(store->get("c1/none"));
  store->remove("c1/a1");
  CHECK(s3.objects() == 0);
  CHECK(s3.refused() == 0);

  settings.s3_secret_key = "wrong-secret";
  auto wrong = cc::make_attachment_store(settings);
  CHECK_THROWS_AS(wrong->put("c1/a2", "x"), std::runtime_error);
  CHECK(s3.refused() == 1);
  try {
    wrong->put("c1/a2", "x");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("wrong-secret") == std::string::npos);
  }
  settings.s3_bucket.clear();
  CHECK_THROWS_AS(cc::make_attachment_store(settings), std::invalid_argument);
}
