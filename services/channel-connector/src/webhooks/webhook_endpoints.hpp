#pragma once
// Outgoing webhooks: the rules of a tenant's endpoints — URL (SSRF guard at write time),
// events, the per-tenant bound, the signing secret — over WebhookRepository.
// docs/api.md "Outgoing webhooks".

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "webhooks/webhook_repository.hpp"

namespace botfactory::channel {

/// Default of WEBHOOK_ENDPOINTS_MAX: endpoints one tenant may keep.
inline constexpr int kWebhookDefaultMaxEndpoints = 10;
/// Longest endpoint URL, in bytes.
inline constexpr std::size_t kWebhookMaxUrlBytes = 2048;
/// Largest `limit` of deliveries(); the default is 20.
inline constexpr int kWebhookMaxDeliveryPage = 100;

/// The event names an endpoint may subscribe to.
inline constexpr const char* kWebhookEventMessageCreated = "message.created";
inline constexpr const char* kWebhookEventConversationCreated = "conversation.created";
inline constexpr const char* kWebhookEventHandoffRequested = "handoff.requested";
/// The event of SendTest (always sent to the endpoint it targets; not subscribable).
inline constexpr const char* kWebhookEventTest = "webhook.test";

/// A field breaks a rule (INVALID_ARGUMENT).
class WebhookInvalid : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};
/// No such endpoint of the tenant (NOT_FOUND).
class WebhookNotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
/// The tenant already keeps WEBHOOK_ENDPOINTS_MAX endpoints (FAILED_PRECONDITION).
class WebhookLimitReached : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// No WEBHOOK_SECRETS_KEY box was configured, so no secret can be sealed (FAILED_PRECONDITION).
/// main() always configures one; only a wiring without it (some tests) meets this.
class WebhookSecretsOff : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What create() answers: the row and its signing secret (shown once).
struct CreatedWebhookEndpoint {
  WebhookEndpointRow endpoint;
  std::string secret;
};

/// Lists, creates, edits and deletes a tenant's endpoints; reads their delivery log; queues a
/// test event. Thread-safe; `repository` must outlive it. Storage failures propagate as
/// pg::Error.
class WebhookEndpoints {
 public:
  /// `box` seals signing secrets at rest (WEBHOOK_SECRETS_KEY; null = create and rotate throw
  /// WebhookSecretsOff); `max_per_tenant` ≥ 1 (WEBHOOK_ENDPOINTS_MAX); `allow_private`
  /// (WEBHOOK_ALLOW_PRIVATE) accepts http:// and private / loopback literal hosts.
  WebhookEndpoints(WebhookRepository& repository, std::shared_ptr<const crypto::SecretBox> box,
                   int max_per_tenant = kWebhookDefaultMaxEndpoints, bool allow_private = false);

  /// WebhookInvalid unless `url` (≤ 2048 bytes) parses with libcurl's URL API
  /// (curl_url_set, RFC 3986) as https:// — or http:// when `allow_private` — with a host and
  /// without user info, and its host is not an IP literal of a private, loopback, link-local or
  /// metadata address (common::literal_ip_is_private; OWASP SSRF Prevention Cheat Sheet) unless
  /// `allow_private`. DNS names are checked again on every delivery (http::Request::
  /// allow_private_addresses), so a name that resolves or rebinds to a private address is refused
  /// there.
  static void check_url(std::string_view url, bool allow_private);
  /// The events, de-duplicated and sorted; WebhookInvalid when empty or one is not
  /// message.created, conversation.created or handoff.requested.
  static std::vector<std::string> check_events(const std::vector<std::string>& events);
  /// A new signing secret: "whsec_" + 32 random bytes, base64url (libsodium randombytes).
  static std::string new_secret();

  /// Called with the tenant after every change of its endpoints (the enqueuer's cache).
  void set_change_hook(std::function<void(const std::string& tenant_id)> hook) {
    on_change_ = std::move(hook);
  }

  std::vector<WebhookEndpointRow> list(const std::string& tenant_id);
  /// The secret is stored sealed and answered once here. WebhookInvalid, WebhookLimitReached,
  /// WebhookSecretsOff.
  CreatedWebhookEndpoint create(const std::string& tenant_id, std::string_view url,
                                const std::vector<std::string>& events);
  /// Changes the set fields. WebhookInvalid, WebhookNotFound.
  WebhookEndpointRow update(const std::string& tenant_id, const std::string& id,
                            const std::optional<std::string>& url,
                            const std::optional<std::vector<std::string>>& events,
                            const std::optional<bool>& enabled);
  /// WebhookNotFound.
  void remove(const std::string& tenant_id, const std::string& id);
  /// A new secret replaces the old one at once (deliveries in flight keep the old signature).
  /// WebhookNotFound, WebhookSecretsOff.
  std::string rotate_secret(const std::string& tenant_id, const std::string& id);
  /// The newest `limit` deliveries (0 = 20, max 100). WebhookInvalid, WebhookNotFound.
  std::vector<WebhookDeliveryRow> deliveries(const std::string& tenant_id, const std::string& id,
                                             int limit);
  /// Queues a `webhook.test` event (webhook_payloads.hpp) to the endpoint, due now; a disabled
  /// endpoint's deliveries wait until it is enabled. Returns the delivery id. WebhookNotFound.
  std::string send_test(const std::string& tenant_id, const std::string& id,
                        std::int64_t now_us);

  int max_per_tenant() const { return max_; }

 private:
  void changed(const std::string& tenant_id) {
    if (on_change_) on_change_(tenant_id);
  }

  /// The secret sealed under box_; WebhookSecretsOff without a box.
  crypto::SealedValue seal(const std::string& secret) const;

  WebhookRepository& repository_;
  std::shared_ptr<const crypto::SecretBox> box_;
  int max_;
  bool allow_private_;
  std::function<void(const std::string&)> on_change_;
};

}  // namespace botfactory::channel
