#include "webhooks/webhook_endpoints.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

#include "botfactory/common/ids.hpp"
#include "botfactory/common/net_address.hpp"
#include "botfactory/common/random.hpp"
#include "webhooks/webhook_payloads.hpp"

namespace botfactory::channel {
namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct PartDeleter {
  void operator()(char* part) const { curl_free(part); }
};
using Part = std::unique_ptr<char, PartDeleter>;

/// A part of a parsed URL; nullptr when it has none.
Part url_part(CURLU* url, CURLUPart which) {
  char* out = nullptr;
  if (curl_url_get(url, which, &out, 0) != CURLUE_OK) return Part(nullptr);
  return Part(out);
}

void require_id(const std::string& id) {
  if (!common::is_uuid(id)) throw WebhookNotFound("webhook endpoint not found");
}

}  // namespace

WebhookEndpoints::WebhookEndpoints(WebhookRepository& repository,
                                   std::shared_ptr<const crypto::SecretBox> box, int max_per_tenant,
                                   bool allow_private)
    : repository_(repository),
      box_(std::move(box)),
      max_(std::max(1, max_per_tenant)),
      allow_private_(allow_private) {}

crypto::SealedValue WebhookEndpoints::seal(const std::string& secret) const {
  if (!box_) throw WebhookSecretsOff("webhook signing secrets need WEBHOOK_SECRETS_KEY");
  return box_->seal(secret);
}

void WebhookEndpoints::check_url(std::string_view url, bool allow_private) {
  if (url.empty()) throw WebhookInvalid("url is required");
  if (url.size() > kWebhookMaxUrlBytes) throw WebhookInvalid("url is longer than 2048 bytes");
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f) throw WebhookInvalid("url must not contain spaces or control characters");
  }
  std::unique_ptr<CURLU, UrlDeleter> parsed(curl_url());
  if (!parsed) throw std::bad_alloc();
  const std::string text(url);
  if (curl_url_set(parsed.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    throw WebhookInvalid("url is not a valid absolute URL");
  }
  auto scheme = url_part(parsed.get(), CURLUPART_SCHEME);
  const std::string s = scheme ? scheme.get() : "";
  if (s != "https" && !(s == "http" && allow_private)) {
    throw WebhookInvalid(allow_private ? "url must be http:// or https://" : "url must be https://");
  }
  if (url_part(parsed.get(), CURLUPART_USER) || url_part(parsed.get(), CURLUPART_PASSWORD)) {
    throw WebhookInvalid("url must not contain credentials");
  }
  auto host = url_part(parsed.get(), CURLUPART_HOST);
  if (!host || *host.get() == '\0') throw WebhookInvalid("url has no host");
  if (!allow_private) {
    std::string_view h = host.get();
    auto is_private = common::literal_ip_is_private(h);
    if (is_private && *is_private) {
      throw WebhookInvalid("url points at a private, loopback or link-local address");
    }
    if (h == "localhost" || (h.size() > 10 && h.substr(h.size() - 10) == ".localhost")) {
      throw WebhookInvalid("url points at a private, loopback or link-local address");
    }
  }
}

std::vector<std::string> WebhookEndpoints::check_events(const std::vector<std::string>& events) {
  if (events.empty()) throw WebhookInvalid("events must name at least one event");
  if (events.size() > 16) throw WebhookInvalid("events has too many entries");
  std::vector<std::string> out;
  for (const auto& e : events) {
    if (e != kWebhookEventMessageCreated && e != kWebhookEventConversationCreated &&
        e != kWebhookEventHandoffRequested) {
      throw WebhookInvalid("unknown event (message.created, conversation.created, handoff.requested)");
    }
    out.push_back(e);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string WebhookEndpoints::new_secret() { return "whsec_" + common::random_token(32); }

std::vector<WebhookEndpointRow> WebhookEndpoints::list(const std::string& tenant_id) {
  return repository_.list_endpoints(tenant_id);
}

CreatedWebhookEndpoint WebhookEndpoints::create(const std::string& tenant_id, std::string_view url,
                                                const std::vector<std::string>& events) {
  check_url(url, allow_private_);
  auto checked = check_events(events);
  CreatedWebhookEndpoint out;
  out.secret = new_secret();
  if (repository_.insert_endpoint(tenant_id, std::string(url), checked, seal(out.secret), max_,
                                  out.endpoint) == WebhookInsert::kFull) {
    throw WebhookLimitReached("the tenant already keeps " + std::to_string(max_) +
                              " webhook endpoints (WEBHOOK_ENDPOINTS_MAX)");
  }
  changed(tenant_id);
  return out;
}

WebhookEndpointRow WebhookEndpoints::update(const std::string& tenant_id, const std::string& id,
                                            const std::optional<std::string>& url,
                                            const std::optional<std::vector<std::string>>& events,
                                            const std::optional<bool>& enabled) {
  require_id(id);
  if (url) check_url(*url, allow_private_);
  std::optional<std::vector<std::string>> checked;
  if (events) checked = check_events(*events);
  auto row = repository_.update_endpoint(tenant_id, id, url, checked, enabled);
  if (!row) throw WebhookNotFound("webhook endpoint not found");
  changed(tenant_id);
  return *row;
}

void WebhookEndpoints::remove(const std::string& tenant_id, const std::string& id) {
  require_id(id);
  if (!repository_.delete_endpoint(tenant_id, id)) throw WebhookNotFound("webhook endpoint not found");
  changed(tenant_id);
}

std::string WebhookEndpoints::rotate_secret(const std::string& tenant_id, const std::string& id) {
  require_id(id);
  auto secret = new_secret();
  if (!repository_.set_secret(tenant_id, id, seal(secret))) throw WebhookNotFound("webhook endpoint not found");
  return secret;
}

std::vector<WebhookDeliveryRow> WebhookEndpoints::deliveries(const std::string& tenant_id,
                                                             const std::string& id, int limit) {
  if (limit < 0 || limit > kWebhookMaxDeliveryPage) throw WebhookInvalid("limit must be 1..100");
  require_id(id);
  auto rows = repository_.list_deliveries(tenant_id, id, limit == 0 ? 20 : limit);
  if (!rows) throw WebhookNotFound("webhook endpoint not found");
  return std::move(*rows);
}

std::string WebhookEndpoints::send_test(const std::string& tenant_id, const std::string& id,
                                        std::int64_t now_us) {
  require_id(id);
  auto delivery = repository_.enqueue_to(tenant_id, id, kWebhookEventTest,
                                         webhook_test_payload(tenant_id, id, now_us));
  if (!delivery) throw WebhookNotFound("webhook endpoint not found");
  return *delivery;
}

}  // namespace botfactory::channel
