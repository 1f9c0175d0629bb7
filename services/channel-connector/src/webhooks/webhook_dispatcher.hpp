#pragma once
// hooks: sends queued outgoing webhook deliveries (chat.webhook_deliveries). One thread claims
// due rows with FOR UPDATE SKIP LOCKED (safe with several replicas), POSTs them at once on the
// shared HTTP client (at most `batch` in flight), and records the outcome: 2xx = delivered,
// anything else is retried after 30 s, 2 min, 10 min, 1 h and 6 h (6 attempts), then failed.
// At-least-once: a receiver deduplicates by the BotFactory-Delivery header.
// hooksec: each claimed row's signing secret is opened (WEBHOOK_SECRETS_KEY) just before its
// request is signed and dropped after; one that does not open fails the delivery at once
// (kWebhookSecretUnreadable), nothing is sent and the secret is never logged.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "botfactory/crypto/secret_box.hpp"

namespace spdlog {
class logger;
}
namespace botfactory::http {
class Client;
}
namespace botfactory::metrics {
class Counter;
class Registry;
}  // namespace botfactory::metrics

namespace botfactory::channel {

class WebhookRepository;
struct ClaimedDelivery;

/// Bounds and timing of the dispatcher (README "Configuration", WEBHOOK_*).
struct WebhookDispatchSettings {
  /// WEBHOOK_POLL_MS: how often the thread looks for due rows (a SendTest wakes it at once).
  std::chrono::milliseconds poll_interval{1000};
  /// WEBHOOK_DISPATCH_BATCH: rows claimed per round = requests in flight at most.
  int batch = 16;
  /// WEBHOOK_CONNECT_TIMEOUT_MS / WEBHOOK_TIMEOUT_MS: per request.
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{10000};
  /// WEBHOOK_PENDING_MAX: pending rows kept per endpoint; older ones are marked failed
  /// ("dropped") and counted in webhook_deliveries_dropped_total.
  int pending_cap = 10000;
  /// WEBHOOK_RETENTION_DAYS: delivered / failed rows older than this are deleted.
  int retention_days = 7;
  /// How often the cap and the retention are applied.
  std::chrono::milliseconds trim_interval{60000};
  /// WEBHOOK_ALLOW_PRIVATE: deliver to loopback / private / link-local addresses (tests and
  /// `make run`); off in production (http::Request::allow_private_addresses).
  bool allow_private = false;
};

/// The retry delay after failed attempt `attempt` (1-based), nullopt when it was the last (6).
std::optional<std::chrono::seconds> webhook_retry_delay(int attempt);
/// Attempts per delivery.
inline constexpr int kWebhookMaxAttempts = 6;
/// The secret environment variable whose 32-byte key seals endpoint signing secrets (same
/// format rules as PROVIDER_KEYS_SECRET: crypto::SecretBox::from_env).
inline constexpr const char* kWebhookSecretsKeyEnv = "WEBHOOK_SECRETS_KEY";
/// last_error of a delivery whose endpoint secret does not open under the current key.
inline constexpr const char* kWebhookSecretUnreadable =
    "the signing secret cannot be decrypted with the current WEBHOOK_SECRETS_KEY; rotate the "
    "endpoint's secret";

/// Claims, sends and records deliveries. start() runs the thread; deliver_due() and trim() are
/// also callable directly (tests, with the injected clock). Storage failures in the thread are
/// logged and retried next round; deliver_due() and trim() propagate pg::Error.
class WebhookDispatcher {
 public:
  /// Microseconds since the Unix epoch (injected for tests).
  using Clock = std::function<std::int64_t()>;

  /// `box` opens the sealed signing secrets (WEBHOOK_SECRETS_KEY); null = every claimed
  /// delivery fails with kWebhookSecretUnreadable.
  WebhookDispatcher(WebhookRepository& repository, std::shared_ptr<const crypto::SecretBox> box,
                    http::Client& http,
                    WebhookDispatchSettings settings, metrics::Registry& registry,
                    Clock clock = {});
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  void start();
  /// Stops the thread (a round in flight finishes first, ≤ total_timeout). Idempotent.
  void stop();
  /// Makes the thread look for due rows now.
  void wake();

  /// One round: claims up to `batch` due rows, sends them concurrently, records each outcome.
  /// Returns how many were claimed.
  int deliver_due();
  /// Applies the per-endpoint pending cap and the retention; returns rows dropped by the cap.
  std::int64_t trim();

 private:
  void run();

  /// The signature header of `d` at `seconds`; nullopt when its secret does not open.
  std::optional<std::string> signature(const ClaimedDelivery& d, std::int64_t seconds) const;

  WebhookRepository& repository_;
  std::shared_ptr<const crypto::SecretBox> box_;
  http::Client& http_;
  WebhookDispatchSettings settings_;
  Clock clock_;
  std::shared_ptr<spdlog::logger> log_;
  metrics::Counter& delivered_;
  metrics::Counter& attempt_failures_;
  metrics::Counter& failed_;
  metrics::Counter& dropped_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace botfactory::channel
