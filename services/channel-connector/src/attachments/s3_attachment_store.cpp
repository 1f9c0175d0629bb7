#include "attachments/s3_attachment_store.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>

#include "botfactory/common/random.hpp"

namespace botfactory::channel {
namespace {

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  constexpr std::size_t kMaxBody = 64 * 1024 * 1024;  // far above any plan's attachment cap
  if (out->size() + size * count > kMaxBody) return 0;
  out->append(data, size * count);
  return size * count;
}

struct Upload {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t supply(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  std::size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::copy_n(upload->data.data() + upload->offset, n, buffer);
  upload->offset += n;
  return n;
}

}  // namespace

S3AttachmentStore::S3AttachmentStore(AttachmentStoreSettings settings) : settings_(std::move(settings)) {
  if (settings_.s3_endpoint.empty() || settings_.s3_bucket.empty() ||
      settings_.s3_access_key.empty() || settings_.s3_secret_key.empty()) {
    throw std::invalid_argument(
        "ATTACHMENT_STORE=s3 needs S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY");
  }
  while (!settings_.s3_endpoint.empty() && settings_.s3_endpoint.back() == '/') {
    settings_.s3_endpoint.pop_back();
  }
}

S3AttachmentStore::Result S3AttachmentStore::request(const char* method, const std::string& key,
                                                     std::string_view body) {
  if (!valid_attachment_key(key)) throw std::invalid_argument("invalid attachment key");
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw std::runtime_error("s3: curl_easy_init failed");
  std::string url = settings_.s3_endpoint + "/" + settings_.s3_bucket + "/" + key;
  std::string sigv4 = "aws:amz:" + settings_.s3_region + ":s3";
  std::string userpwd = settings_.s3_access_key + ":" + settings_.s3_secret_key;
  Result result;
  Upload upload{body};
  curl_slist* headers = nullptr;
  std::string payload_hash = "x-amz-content-sha256: " + common::sha256_hex(std::string(body));
  headers = curl_slist_append(headers, payload_hash.c_str());
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> header_list(headers, curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_USERPWD, userpwd.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, settings_.s3_timeout_ms);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &result.body);
  std::string_view verb(method);
  if (verb == "PUT") {
    curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, supply);
    curl_easy_setopt(curl.get(), CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl.get(), CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body.size()));
  } else if (verb == "DELETE") {
    curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, "DELETE");
  }
  auto code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) {
    throw std::runtime_error(std::string("s3 ") + method + " " + key + ": " + curl_easy_strerror(code));
  }
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &result.status);
  return result;
}

void S3AttachmentStore::put(const std::string& key, std::string_view bytes) {
  auto result = request("PUT", key, bytes);
  if (result.status / 100 != 2) {
    throw std::runtime_error("s3 PUT " + key + ": HTTP " + std::to_string(result.status));
  }
}

std::optional<std::string> S3AttachmentStore::get(const std::string& key) {
  auto result = request("GET", key, {});
  if (result.status == 404) return std::nullopt;
  if (result.status / 100 != 2) {
    throw std::runtime_error("s3 GET " + key + ": HTTP " + std::to_string(result.status));
  }
  return std::move(result.body);
}

void S3AttachmentStore::remove(const std::string& key) {
  auto result = request("DELETE", key, {});
  if (result.status / 100 != 2 && result.status != 404) {
    throw std::runtime_error("s3 DELETE " + key + ": HTTP " + std::to_string(result.status));
  }
}

}  // namespace botfactory::channel
