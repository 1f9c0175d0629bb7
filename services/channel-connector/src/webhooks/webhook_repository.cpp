#include "webhooks/webhook_repository.hpp"

#include <sodium.h>

#include <boost/json.hpp>

#include "botfactory/pg/pool.hpp"

namespace botfactory::channel {
namespace {

constexpr const char* kEndpointColumns =
    "id::text, tenant_id::text, url, array_to_string(events, ','), enabled, "
    "(extract(epoch FROM created_at) * 1000000)::bigint, "
    "(extract(epoch FROM updated_at) * 1000000)::bigint";

/// SQL of a timestamptz from a microseconds parameter.
constexpr const char* kAt = "to_timestamp(%s::double precision / 1000000)";

std::string at(const char* param) {
  std::string out = kAt;
  out.replace(out.find("%s"), 2, param);
  return out;
}

std::vector<std::string> split_events(std::string_view joined) {
  std::vector<std::string> out;
  while (!joined.empty()) {
    auto comma = joined.find(',');
    out.emplace_back(joined.substr(0, comma));
    if (comma == std::string_view::npos) break;
    joined.remove_prefix(comma + 1);
  }
  return out;
}

std::string join_events(const std::vector<std::string>& events) {
  std::string out;
  for (const auto& e : events) {
    if (!out.empty()) out += ',';
    out += e;
  }
  return out;
}

WebhookEndpointRow endpoint_of(const pg::Result& r, int i) {
  WebhookEndpointRow row;
  row.id = r.str(i, 0);
  row.tenant_id = r.str(i, 1);
  row.url = r.str(i, 2);
  row.events = split_events(r.text(i, 3));
  row.enabled = r.boolean(i, 4);
  row.created_at_us = r.int64(i, 5);
  row.updated_at_us = r.int64(i, 6);
  return row;
}

std::string to_hex(const std::string& bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  out.pop_back();
  return out;
}

/// Bytes of PostgreSQL's encode(…, 'hex'); an odd or non-hex text gives what parsed (the
/// secretbox MAC then refuses it).
std::string from_hex(std::string_view hex) {
  std::string out(hex.size() / 2, '\0');
  std::size_t length = 0;
  sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(), hex.size(),
                 nullptr, &length, nullptr);
  out.resize(length);
  return out;
}

std::optional<std::string> opt(const std::optional<bool>& value) {
  if (!value) return std::nullopt;
  return *value ? "true" : "false";
}

}  // namespace

WebhookRepository::WebhookRepository(pg::Pool& pool) : pool_(pool) {}

std::vector<WebhookEndpointRow> WebhookRepository::list_endpoints(const std::string& tenant_id) {
  auto connection = pool_.acquire();
  auto r = connection->exec(std::string("SELECT ") + kEndpointColumns +
                                " FROM chat.webhook_endpoints WHERE tenant_id = $1 "
                                "ORDER BY created_at, id",
                            {tenant_id});
  std::vector<WebhookEndpointRow> rows;
  for (int i = 0; i < r.rows(); ++i) rows.push_back(endpoint_of(r, i));
  return rows;
}

std::optional<WebhookEndpointRow> WebhookRepository::get_endpoint(const std::string& tenant_id,
                                                                  const std::string& id) {
  auto connection = pool_.acquire();
  auto r = connection->exec(std::string("SELECT ") + kEndpointColumns +
                                " FROM chat.webhook_endpoints WHERE tenant_id = $1 AND id = $2",
                            {tenant_id, id});
  if (r.rows() == 0) return std::nullopt;
  return endpoint_of(r, 0);
}

WebhookInsert WebhookRepository::insert_endpoint(const std::string& tenant_id, const std::string& url,
                                                 const std::vector<std::string>& events,
                                                 const crypto::SealedValue& secret, int max_rows,
                                                 WebhookEndpointRow& out) {
  auto connection = pool_.acquire();
  pg::Transaction transaction(*connection);
  connection->exec("SELECT pg_advisory_xact_lock(hashtext('chat.webhook_endpoints.' || $1))",
                   {tenant_id});
  auto count = connection->exec("SELECT count(*) FROM chat.webhook_endpoints WHERE tenant_id = $1",
                                {tenant_id});
  if (count.int64(0, 0) >= max_rows) return WebhookInsert::kFull;
  auto r = connection->exec(std::string("INSERT INTO chat.webhook_endpoints "
                                        "(tenant_id, url, events, secret_nonce, secret_ciphertext) "
                                        "VALUES ($1, $2, string_to_array($3, ','), decode($4, 'hex'), "
                                        "decode($5, 'hex')) RETURNING ") +
                                kEndpointColumns,
                            {tenant_id, url, join_events(events), to_hex(secret.nonce),
                             to_hex(secret.ciphertext)});
  out = endpoint_of(r, 0);
  transaction.commit();
  return WebhookInsert::kCreated;
}

std::optional<WebhookEndpointRow> WebhookRepository::update_endpoint(
    const std::string& tenant_id, const std::string& id, const std::optional<std::string>& url,
    const std::optional<std::vector<std::string>>& events, const std::optional<bool>& enabled) {
  std::optional<std::string> joined;
  if (events) joined = join_events(*events);
  auto connection = pool_.acquire();
  auto r = connection->exec(
      std::string("UPDATE chat.webhook_endpoints SET url = COALESCE($3, url), "
                  "events = COALESCE(string_to_array($4, ','), events), "
                  "enabled = COALESCE($5::boolean, enabled), updated_at = now() "
                  "WHERE tenant_id = $1 AND id = $2 RETURNING ") +
          kEndpointColumns,
      {tenant_id, id, url, joined, opt(enabled)});
  if (r.rows() == 0) return std::nullopt;
  return endpoint_of(r, 0);
}

bool WebhookRepository::set_secret(const std::string& tenant_id, const std::string& id,
                                   const crypto::SealedValue& secret) {
  auto connection = pool_.acquire();
  return connection
             ->exec("UPDATE chat.webhook_endpoints SET secret_nonce = decode($3, 'hex'), "
                    "secret_ciphertext = decode($4, 'hex'), updated_at = now() "
                    "WHERE tenant_id = $1 AND id = $2",
                    {tenant_id, id, to_hex(secret.nonce), to_hex(secret.ciphertext)})
             .affected() > 0;
}

bool WebhookRepository::delete_endpoint(const std::string& tenant_id, const std::string& id) {
  auto connection = pool_.acquire();
  return connection
             ->exec("DELETE FROM chat.webhook_endpoints WHERE tenant_id = $1 AND id = $2",
                    {tenant_id, id})
             .affected() > 0;
}

bool WebhookRepository::has_enabled_endpoints(const std::string& tenant_id) {
  auto connection = pool_.acquire();
  return connection
      ->exec_prepared("webhook_has_endpoints",
                      "SELECT EXISTS (SELECT 1 FROM chat.webhook_endpoints "
                      "WHERE tenant_id = $1 AND enabled)",
                      {tenant_id})
      .boolean(0, 0);
}

std::int64_t WebhookRepository::enqueue(const std::vector<WebhookEventRow>& events) {
  if (events.empty()) return 0;
  boost::json::array rows;
  rows.reserve(events.size());
  for (const auto& e : events) {
    rows.push_back(boost::json::object{{"t", e.tenant_id}, {"e", e.event}, {"p", e.payload}});
  }
  auto connection = pool_.acquire();
  return connection
      ->exec_prepared(
          "webhook_enqueue",
          "INSERT INTO chat.webhook_deliveries (endpoint_id, tenant_id, event, payload) "
          "SELECT e.id, e.tenant_id, v.e, v.p "
          "FROM jsonb_to_recordset($1::jsonb) AS v(t uuid, e text, p text) "
          "JOIN chat.webhook_endpoints e ON e.tenant_id = v.t AND e.enabled AND v.e = ANY (e.events)",
          {boost::json::serialize(rows)})
      .affected();
}

std::optional<std::string> WebhookRepository::enqueue_to(const std::string& tenant_id,
                                                         const std::string& endpoint_id,
                                                         const std::string& event,
                                                         const std::string& payload) {
  auto connection = pool_.acquire();
  auto r = connection->exec(
      "INSERT INTO chat.webhook_deliveries (endpoint_id, tenant_id, event, payload) "
      "SELECT id, tenant_id, $3, $4 FROM chat.webhook_endpoints WHERE tenant_id = $1 AND id = $2 "
      "RETURNING id::text",
      {tenant_id, endpoint_id, event, payload});
  if (r.rows() == 0) return std::nullopt;
  return r.str(0, 0);
}

std::vector<ClaimedDelivery> WebhookRepository::claim(std::int64_t now_us, int limit,
                                                      std::int64_t lease_us) {
  static const std::string kClaim =
      "WITH due AS (SELECT d.id FROM chat.webhook_deliveries d "
      "JOIN chat.webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled "
      "WHERE d.status = 'pending' AND d.next_attempt_at <= " + at("$1") +
      " ORDER BY d.next_attempt_at LIMIT $2 FOR UPDATE OF d SKIP LOCKED) "
      "UPDATE chat.webhook_deliveries w SET attempts = w.attempts + 1, "
      "next_attempt_at = to_timestamp(($1::double precision + $3::double precision) / 1000000) "
      "FROM due, chat.webhook_endpoints e WHERE w.id = due.id AND e.id = w.endpoint_id "
      "RETURNING w.id::text, w.endpoint_id::text, w.tenant_id::text, w.event, w.payload, e.url, "
      "encode(e.secret_nonce, 'hex'), encode(e.secret_ciphertext, 'hex'), w.attempts";
  auto connection = pool_.acquire();
  auto r = connection->exec_prepared(
      "webhook_claim", kClaim, {std::to_string(now_us), std::to_string(limit), std::to_string(lease_us)});
  std::vector<ClaimedDelivery> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(ClaimedDelivery{r.str(i, 0), r.str(i, 1), r.str(i, 2), r.str(i, 3), r.str(i, 4),
                                  r.str(i, 5),
                                  crypto::SealedValue{from_hex(r.text(i, 6)), from_hex(r.text(i, 7))},
                                  static_cast<int>(r.int64(i, 8))});
  }
  return out;
}

void WebhookRepository::mark_delivered(const std::string& id, std::int64_t now_us, int status_code) {
  auto connection = pool_.acquire();
  connection->exec("UPDATE chat.webhook_deliveries SET status = 'delivered', delivered_at = " +
                       at("$2") + ", last_status_code = $3, last_error = NULL WHERE id = $1",
                   {id, std::to_string(now_us), std::to_string(status_code)});
}

void WebhookRepository::mark_attempt_failed(const std::string& id, int status_code,
                                            const std::string& error,
                                            std::optional<std::int64_t> retry_at_us) {
  std::optional<std::string> code;
  if (status_code > 0) code = std::to_string(status_code);
  auto connection = pool_.acquire();
  if (retry_at_us) {
    connection->exec("UPDATE chat.webhook_deliveries SET status = 'pending', next_attempt_at = " +
                         at("$4") + ", last_status_code = $2::integer, last_error = $3 WHERE id = $1",
                     {id, code, error, std::to_string(*retry_at_us)});
  } else {
    connection->exec("UPDATE chat.webhook_deliveries SET status = 'failed', "
                     "last_status_code = $2::integer, last_error = $3 WHERE id = $1",
                     {id, code, error});
  }
}

std::int64_t WebhookRepository::drop_over_cap(int cap) {
  auto connection = pool_.acquire();
  return connection
      ->exec("WITH heavy AS (SELECT endpoint_id FROM chat.webhook_deliveries "
             "WHERE status = 'pending' GROUP BY endpoint_id HAVING count(*) > $1::integer), "
             "ranked AS (SELECT d.id, row_number() OVER (PARTITION BY d.endpoint_id "
             "ORDER BY d.created_at DESC, d.id DESC) AS n FROM chat.webhook_deliveries d "
             "JOIN heavy h ON h.endpoint_id = d.endpoint_id WHERE d.status = 'pending') "
             "UPDATE chat.webhook_deliveries w SET status = 'failed', "
             "last_error = 'dropped: more than ' || $1::integer::text || ' deliveries pending for this endpoint' "
             "FROM ranked WHERE w.id = ranked.id AND ranked.n > $1::integer",
             {std::to_string(cap)})
      .affected();
}

std::int64_t WebhookRepository::delete_finished_before(std::int64_t before_us) {
  auto connection = pool_.acquire();
  return connection
      ->exec("DELETE FROM chat.webhook_deliveries WHERE status <> 'pending' AND created_at < " +
                 at("$1"),
             {std::to_string(before_us)})
      .affected();
}

std::optional<std::vector<WebhookDeliveryRow>> WebhookRepository::list_deliveries(
    const std::string& tenant_id, const std::string& endpoint_id, int limit) {
  auto connection = pool_.acquire();
  auto owner = connection->exec(
      "SELECT 1 FROM chat.webhook_endpoints WHERE tenant_id = $1 AND id = $2", {tenant_id, endpoint_id});
  if (owner.rows() == 0) return std::nullopt;
  auto r = connection->exec(
      "SELECT id::text, endpoint_id::text, event, status, attempts, "
      "(extract(epoch FROM next_attempt_at) * 1000000)::bigint, COALESCE(last_status_code, 0), "
      "COALESCE(last_error, ''), (extract(epoch FROM created_at) * 1000000)::bigint, "
      "COALESCE((extract(epoch FROM delivered_at) * 1000000)::bigint, 0) "
      "FROM chat.webhook_deliveries WHERE endpoint_id = $1 "
      "ORDER BY created_at DESC, id DESC LIMIT $2",
      {endpoint_id, std::to_string(limit)});
  std::vector<WebhookDeliveryRow> rows;
  for (int i = 0; i < r.rows(); ++i) {
    rows.push_back(WebhookDeliveryRow{r.str(i, 0), r.str(i, 1), r.str(i, 2), r.str(i, 3),
                                      static_cast<int>(r.int64(i, 4)), r.int64(i, 5),
                                      static_cast<int>(r.int64(i, 6)), r.str(i, 7), r.int64(i, 8),
                                      r.int64(i, 9)});
  }
  return rows;
}

}  // namespace botfactory::channel
