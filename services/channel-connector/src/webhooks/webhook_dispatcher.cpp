#include "webhooks/webhook_dispatcher.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <array>
#include <string>
#include <vector>

#include "botfactory/common/logging.hpp"
#include "botfactory/http_client/http_client.hpp"
#include "botfactory/metrics/registry.hpp"
#include "webhooks/webhook_repository.hpp"
#include "webhooks/webhook_signature.hpp"

namespace botfactory::channel {
namespace {

using namespace std::chrono_literals;

constexpr std::array<std::chrono::seconds, kWebhookMaxAttempts - 1> kRetryDelays{
    30s, 2min, 10min, 1h, 6h};
/// Claimed rows are not due again for this long (a crash mid-send retries them after it).
constexpr std::int64_t kLeaseMicros = 60'000'000;
/// Longest last_error kept.
constexpr std::size_t kMaxErrorBytes = 300;

std::int64_t system_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::optional<std::chrono::seconds> webhook_retry_delay(int attempt) {
  if (attempt < 1 || attempt >= kWebhookMaxAttempts) return std::nullopt;
  return kRetryDelays[static_cast<std::size_t>(attempt - 1)];
}

WebhookDispatcher::WebhookDispatcher(WebhookRepository& repository,
                                     std::shared_ptr<const crypto::SecretBox> box,
                                     http::Client& http, WebhookDispatchSettings settings,
                                     metrics::Registry& registry, Clock clock)
    : repository_(repository),
      box_(std::move(box)),
      http_(http),
      settings_(settings),
      clock_(clock ? std::move(clock) : Clock(system_micros)),
      log_(common::logger("webhooks")),
      delivered_(registry.counter("webhook_deliveries_delivered_total",
                                  "Outgoing webhook deliveries answered with 2xx")),
      attempt_failures_(registry.counter("webhook_attempt_failures_total",
                                         "Outgoing webhook attempts that failed (retried or not)")),
      failed_(registry.counter("webhook_deliveries_failed_total",
                               "Outgoing webhook deliveries given up after the last attempt")),
      dropped_(registry.counter("webhook_deliveries_dropped_total",
                                "Pending webhook deliveries dropped by WEBHOOK_PENDING_MAX")) {
  settings_.batch = std::max(1, settings_.batch);
}

WebhookDispatcher::~WebhookDispatcher() { stop(); }

void WebhookDispatcher::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void WebhookDispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookDispatcher::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

void WebhookDispatcher::run() {
  auto next_trim = std::chrono::steady_clock::now();
  for (;;) {
    int claimed = 0;
    try {
      if (std::chrono::steady_clock::now() >= next_trim) {
        trim();
        next_trim = std::chrono::steady_clock::now() + settings_.trim_interval;
      }
      claimed = deliver_due();
    } catch (const std::exception& e) {
      log_->warn("webhook dispatch round failed: {}", e.what());
    }
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    // A full batch: more may be due at once.
    if (claimed >= settings_.batch) continue;
    cv_.wait_for(lock, settings_.poll_interval, [this] { return stopping_ || woken_; });
    woken_ = false;
    if (stopping_) return;
  }
}

std::optional<std::string> WebhookDispatcher::signature(const ClaimedDelivery& d,
                                                       std::int64_t seconds) const {
  if (!box_) return std::nullopt;
  try {
    auto secret = box_->open(d.secret);
    auto header = webhook_signature(secret, seconds, d.payload);
    sodium_memzero(secret.data(), secret.size());
    return header;
  } catch (const crypto::DecryptError&) {
    return std::nullopt;
  }
}

int WebhookDispatcher::deliver_due() {
  const auto now = clock_();
  auto claimed = repository_.claim(now, settings_.batch, kLeaseMicros);
  if (claimed.empty()) return 0;
  const auto seconds = now / 1'000'000;
  std::vector<std::unique_ptr<http::Response>> responses;  // null = not sent (secret unreadable)
  responses.reserve(claimed.size());
  for (const auto& d : claimed) {
    auto signed_header = signature(d, seconds);
    if (!signed_header) {
      repository_.mark_attempt_failed(d.id, 0, kWebhookSecretUnreadable, std::nullopt);
      attempt_failures_.inc();
      failed_.inc();
      log_->warn("webhook delivery {} ({}) to endpoint {} failed: its signing secret does not open "
                 "under the current WEBHOOK_SECRETS_KEY",
                 d.id, d.event, d.endpoint_id);
      responses.push_back(nullptr);
      continue;
    }
    http::Request request;
    request.method = "POST";
    request.url = d.url;
    request.body = d.payload;
    request.headers = {"Content-Type: application/json", "User-Agent: BotFactory-Webhooks/1",
                       "BotFactory-Event: " + d.event, "BotFactory-Delivery: " + d.id,
                       "BotFactory-Signature: " + *signed_header};
    request.connect_timeout = settings_.connect_timeout;
    request.first_byte_timeout = settings_.total_timeout;
    request.total_timeout = settings_.total_timeout;
    request.allow_private_addresses = settings_.allow_private;
    responses.push_back(http_.start(std::move(request)));
  }
  for (std::size_t i = 0; i < claimed.size(); ++i) {
    if (!responses[i]) continue;
    const auto& d = claimed[i];
    auto& response = *responses[i];
    std::string chunk;
    http::Response::Read state;
    // The body is read and dropped; total_timeout ends the exchange.
    do {
      state = response.read(chunk, std::chrono::milliseconds(500));
    } while (state == http::Response::Read::kData || state == http::Response::Read::kWaiting);
    const int status = static_cast<int>(response.status());
    if (state == http::Response::Read::kEnd && status >= 200 && status < 300) {
      repository_.mark_delivered(d.id, clock_(), status);
      delivered_.inc();
      continue;
    }
    std::string error;
    if (state == http::Response::Read::kEnd) {
      error = "HTTP " + std::to_string(status);
    } else {
      error = std::string(http::failure_name(response.failure()));
      if (!response.message().empty()) error += ": " + response.message();
    }
    if (error.size() > kMaxErrorBytes) error.resize(kMaxErrorBytes);
    attempt_failures_.inc();
    auto delay = webhook_retry_delay(d.attempts);
    std::optional<std::int64_t> retry_at;
    if (delay) retry_at = clock_() + std::chrono::duration_cast<std::chrono::microseconds>(*delay).count();
    repository_.mark_attempt_failed(d.id, state == http::Response::Read::kEnd ? status : 0, error,
                                    retry_at);
    if (!delay) {
      failed_.inc();
      log_->info("webhook delivery {} ({}) to endpoint {} failed after {} attempts: {}", d.id,
                 d.event, d.endpoint_id, d.attempts, error);
    }
  }
  return static_cast<int>(claimed.size());
}

std::int64_t WebhookDispatcher::trim() {
  auto dropped = repository_.drop_over_cap(settings_.pending_cap);
  if (dropped > 0) {
    dropped_.inc(static_cast<std::uint64_t>(dropped));
    log_->warn("{} pending webhook deliveries dropped (more than {} per endpoint)", dropped,
               settings_.pending_cap);
  }
  repository_.delete_finished_before(clock_() -
                                     std::int64_t{settings_.retention_days} * 86400 * 1'000'000);
  return dropped;
}

}  // namespace botfactory::channel
