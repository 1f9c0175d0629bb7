#include "http/client_rate_limit.hpp"

#include <chrono>

#include "http/api_error.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/redis/window_counter.hpp"
#include "settings.hpp"

namespace botfactory::gateway {
namespace {

constexpr std::chrono::milliseconds kWindow{60000};

/// The limited bucket of an endpoint and its limit per window (0: none).
struct Bucket {
  const char* name = nullptr;
  int limit = 0;
};

Bucket bucket_of(const RouteMatch& route, const GatewaySettings& settings) {
  if (route.kind != RouteMatch::Kind::kFound) return {};
  switch (route.endpoint) {
    case Endpoint::kCreateWidgetSession: return {"sessions", settings.rate_limit_sessions_per_min};
    case Endpoint::kWidgetAppearance: return {"widget", settings.rate_limit_widget_per_min};
    case Endpoint::kRegister:
    case Endpoint::kLogin:
    case Endpoint::kRefresh: return {"auth", settings.rate_limit_auth_per_min};
    default: return {};
  }
}

metrics::Counter& limited_counter(const char* bucket) {
  return metrics::Registry::global().counter(
      "gateway_rate_limited_total", "REST requests refused with 429 by the per-IP limits",
      std::string("bucket=\"") + bucket + "\"");
}

}  // namespace

ClientRateLimits::ClientRateLimits(const GatewaySettings& settings)
    : settings_(settings),
      counter_(std::make_unique<redis::WindowCounter>(settings.redis_host, settings.redis_port,
                                                      std::chrono::milliseconds(500),
                                                      settings.redis_credentials)) {}

ClientRateLimits::~ClientRateLimits() = default;

std::optional<HttpResponse> ClientRateLimits::check(const RouteMatch& route,
                                                    const std::string& client_ip) const {
  Bucket bucket = bucket_of(route, settings_);
  if (bucket.limit <= 0 || client_ip.empty()) return std::nullopt;
  std::string key = settings_.redis_key_prefix + "rl:" + bucket.name + ":" + client_ip;
  auto hit = counter_->hit(key, kWindow);
  if (!hit) {
    metrics::Registry::global()
        .counter("gateway_rate_limit_unavailable_total",
                 "Requests let through because Redis could not count them")
        .inc();
    return std::nullopt;
  }
  if (hit->count <= bucket.limit) return std::nullopt;
  limited_counter(bucket.name).inc();
  auto seconds = std::max<std::int64_t>(1, (hit->resets_in.count() + 999) / 1000);
  auto response = error_response(
      429, "rate_limited",
      "too many requests from this address, retry in " + std::to_string(seconds) + " s");
  response.headers.emplace_back("Retry-After", std::to_string(seconds));
  return response;
}

}  // namespace botfactory::gateway
