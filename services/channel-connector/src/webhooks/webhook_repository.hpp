#pragma once
// All SQL of outgoing webhooks (chat.webhook_endpoints, chat.webhook_deliveries; migration
// V140, V141): endpoint rows, queued deliveries, the dispatcher's claim and results, the log.
// Signing secrets are stored sealed (crypto::SealedValue: nonce + ciphertext, bytea columns);
// this file never sees them in plain text.
// Times are microseconds since the Unix epoch, passed in by the caller (injected clock).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "botfactory/crypto/secret_box.hpp"

namespace botfactory::pg {
class Pool;
}

namespace botfactory::channel {

/// One endpoint as stored, without its secret.
struct WebhookEndpointRow {
  std::string id;
  std::string tenant_id;
  std::string url;
  std::vector<std::string> events;
  bool enabled = true;
  std::int64_t created_at_us = 0;
  std::int64_t updated_at_us = 0;
};

/// One line of an endpoint's delivery log.
struct WebhookDeliveryRow {
  std::string id;
  std::string endpoint_id;
  std::string event;
  std::string status;  // pending | delivered | failed
  int attempts = 0;
  std::int64_t next_attempt_us = 0;
  int last_status_code = 0;  // 0 = no HTTP answer yet
  std::string last_error;
  std::int64_t created_at_us = 0;
  std::int64_t delivered_at_us = 0;  // 0 = not delivered
};

/// A delivery claimed by the dispatcher, with what it needs to send it.
struct ClaimedDelivery {
  std::string id;
  std::string endpoint_id;
  std::string tenant_id;
  std::string event;
  std::string payload;  // the JSON body, sent as is
  std::string url;
  crypto::SealedValue secret;  // the endpoint's signing secret, sealed
  int attempts = 0;  // including this one
};

/// One event to queue for every enabled endpoint of `tenant_id` subscribed to `event`.
struct WebhookEventRow {
  std::string tenant_id;
  std::string event;
  std::string payload;
};

/// Result of insert_endpoint().
enum class WebhookInsert { kCreated, kFull };

/// Reads and writes the webhook tables. Thread-safe (one pooled connection per call); pg::Error
/// propagates.
class WebhookRepository {
 public:
  explicit WebhookRepository(pg::Pool& pool);

  std::vector<WebhookEndpointRow> list_endpoints(const std::string& tenant_id);
  std::optional<WebhookEndpointRow> get_endpoint(const std::string& tenant_id, const std::string& id);
  /// Inserts unless the tenant already keeps `max_rows` endpoints (advisory lock per tenant).
  WebhookInsert insert_endpoint(const std::string& tenant_id, const std::string& url,
                                const std::vector<std::string>& events,
                                const crypto::SealedValue& secret, int max_rows, WebhookEndpointRow& out);
  /// Changes the fields that are set; nullopt when the row is not the tenant's.
  std::optional<WebhookEndpointRow> update_endpoint(
      const std::string& tenant_id, const std::string& id, const std::optional<std::string>& url,
      const std::optional<std::vector<std::string>>& events, const std::optional<bool>& enabled);
  /// Replaces the sealed secret; false when the row is not the tenant's.
  bool set_secret(const std::string& tenant_id, const std::string& id,
                  const crypto::SealedValue& secret);
  /// Deletes the endpoint and its deliveries; false when it is not the tenant's.
  bool delete_endpoint(const std::string& tenant_id, const std::string& id);
  /// True when the tenant has at least one enabled endpoint.
  bool has_enabled_endpoints(const std::string& tenant_id);

  /// Queues one pending row per (event, enabled endpoint of its tenant subscribed to it), due
  /// now; one INSERT … SELECT for the whole batch. Returns the rows queued.
  std::int64_t enqueue(const std::vector<WebhookEventRow>& events);
  /// Queues one pending row for endpoint `endpoint_id` of the tenant (a test event); the new
  /// delivery's id, nullopt when the endpoint is not the tenant's.
  std::optional<std::string> enqueue_to(const std::string& tenant_id, const std::string& endpoint_id,
                                        const std::string& event, const std::string& payload);

  /// Claims up to `limit` pending rows due at `now_us` of enabled endpoints (FOR UPDATE SKIP
  /// LOCKED), counts the attempt and pushes next_attempt_at to now + `lease_us` so no other
  /// replica takes them while they are in flight (a crash retries them after the lease).
  std::vector<ClaimedDelivery> claim(std::int64_t now_us, int limit, std::int64_t lease_us);
  /// Marks a delivery delivered at `now_us` with the HTTP status.
  void mark_delivered(const std::string& id, std::int64_t now_us, int status_code);
  /// Records a failed attempt: pending again at `retry_at_us`, or failed when nullopt.
  void mark_attempt_failed(const std::string& id, int status_code, const std::string& error,
                           std::optional<std::int64_t> retry_at_us);
  /// Marks the oldest pending rows of every endpoint beyond `cap` failed ("dropped: …");
  /// returns how many.
  std::int64_t drop_over_cap(int cap);
  /// Deletes delivered and failed rows created before `before_us`; returns how many.
  std::int64_t delete_finished_before(std::int64_t before_us);

  /// The newest `limit` deliveries of the tenant's endpoint; nullopt when it is not the tenant's.
  std::optional<std::vector<WebhookDeliveryRow>> list_deliveries(const std::string& tenant_id,
                                                                 const std::string& endpoint_id,
                                                                 int limit);

 private:
  pg::Pool& pool_;
};

}  // namespace botfactory::channel
