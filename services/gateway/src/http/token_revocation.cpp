#include "http/token_revocation.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <iterator>

#include "botfactory/common/logging.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/redis/revocation_keys.hpp"
#include "http/api_error.hpp"

namespace botfactory::gateway {
namespace {

/// gateway_token_revocation_checks_total{result=...}: cache (a fresh entry answered), redis (a
/// GET answered), unavailable (Redis unreachable: failed open with what the cache knew).
metrics::Counter& make_checks(const char* result) {
  return metrics::Registry::global().counter(
      "gateway_token_revocation_checks_total",
      "User-token revocation checks on REST and upgrades, by how they were answered",
      std::string("result=\"") + result + "\"");
}

/// The three series, looked up once (the registry lookup takes a lock).
metrics::Counter& checks(const char* result) {
  static auto& cache = make_checks("cache");
  static auto& redis = make_checks("redis");
  static auto& unavailable = make_checks("unavailable");
  if (result[0] == 'c') return cache;
  return result[0] == 'r' ? redis : unavailable;
}

metrics::Counter& refused() {
  static auto& counter = metrics::Registry::global().counter(
      "gateway_token_revoked_total", "User tokens refused because their user's tokens were revoked");
  return counter;
}

}  // namespace

RevocationCache::RevocationCache(std::size_t max_entries, std::chrono::milliseconds ttl)
    : max_entries_(std::max<std::size_t>(max_entries, 1)), ttl_(ttl) {}

RevocationLookup RevocationCache::find(const std::string& user_id, Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(user_id);
  if (it == entries_.end()) return {};
  return {true, now - it->second.learnt < ttl_, it->second.valid_from_ms};
}

void RevocationCache::store(const std::string& user_id, std::int64_t valid_from_ms,
                            Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(user_id);
  if (it != entries_.end()) {
    it->second.valid_from_ms = std::max(it->second.valid_from_ms, valid_from_ms);
    it->second.learnt = now;
    return;
  }
  if (entries_.size() >= max_entries_) make_room(now);
  entries_.emplace(user_id, Entry{valid_from_ms, now});
}

void RevocationCache::make_room(Clock::time_point now) {
  auto stale = [&](const Entry& e) { return now - e.learnt >= ttl_; };
  std::erase_if(entries_, [&](const auto& kv) { return stale(kv.second) && kv.second.valid_from_ms == 0; });
  if (entries_.size() < max_entries_) return;
  std::erase_if(entries_, [&](const auto& kv) { return stale(kv.second); });
  // Everything is fresh: drop a quarter (at least one), whichever they are.
  auto drop = std::max<std::size_t>(entries_.size() / 4, 1);
  while (drop-- > 0 && !entries_.empty()) entries_.erase(entries_.begin());
}

void RevocationCache::expire_all() {
  std::lock_guard lock(mutex_);
  for (auto& [id, entry] : entries_) entry.learnt = Clock::time_point{};
}

std::size_t RevocationCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

bool voided_by(const jwt::Claims& claims, std::int64_t valid_from_ms) {
  return claims.kind == jwt::TokenKind::kUser && valid_from_ms > 0 &&
         claims.issued_at_ms < valid_from_ms;
}

void require_not_revoked(TokenRevocations* revocations, const jwt::Claims& claims) {
  if (revocations != nullptr && revocations->revoked(claims)) {
    throw ApiError(401, "token_revoked", kTokenRevokedMessage);
  }
}

TokenRevocations::TokenRevocations(boost::asio::io_context& io, TokenRevocationSettings settings,
                                   std::unique_ptr<redis::BlockingClient> client,
                                   redis::SubscriberOptions subscriber)
    : settings_(std::move(settings)),
      cache_(settings_.max_entries, settings_.cache_ttl),
      client_(std::move(client)),
      channel_(redis::user_revoked_channel(settings_.key_prefix)) {
  // Its own connection, named "revocations-<REDIS_CLIENT_NAME>" in CLIENT LIST (a prefix, so
  // that tools matching the fan-out subscriber's name do not take this one for it).
  if (!subscriber.client_name.empty()) subscriber.client_name = "revocations-" + subscriber.client_name;
  subscriber_ = std::make_unique<redis::Subscriber>(io, std::move(subscriber));
  subscriber_->on_message([this](std::string_view channel, std::string_view payload) {
    if (channel == channel_) handle_message(payload);
  });
  // Announcements made while disconnected are lost: ask Redis again for every user.
  subscriber_->on_reconnect([this] { cache_.expire_all(); });
}

TokenRevocations::~TokenRevocations() { stop(); }

void TokenRevocations::on_revoked(std::function<void()> handler) { on_revoked_ = std::move(handler); }

void TokenRevocations::start() {
  subscriber_->subscribe(channel_);
  subscriber_->start();
}

void TokenRevocations::stop() {
  if (subscriber_) subscriber_->stop();
}

void TokenRevocations::handle_message(std::string_view payload) {
  auto parsed = redis::parse_user_revoked_payload(payload);
  if (!parsed) {
    common::logger("gateway")->warn("dropping a malformed token revocation announcement");
    return;
  }
  cache_.store(parsed->first, parsed->second, RevocationCache::Clock::now());
  if (on_revoked_) on_revoked_();
}

std::optional<bool> TokenRevocations::revoked_if_fresh(const jwt::Claims& claims) const {
  if (claims.kind != jwt::TokenKind::kUser) return false;
  auto found = cache_.find(claims.subject, RevocationCache::Clock::now());
  if (!found.fresh) return std::nullopt;
  checks("cache").inc();
  bool voided = voided_by(claims, found.valid_from_ms);
  if (voided) refused().inc();
  return voided;
}

bool TokenRevocations::known_revoked(const jwt::Claims& claims) const {
  if (claims.kind != jwt::TokenKind::kUser) return false;
  return voided_by(claims, cache_.find(claims.subject, RevocationCache::Clock::now()).valid_from_ms);
}

bool TokenRevocations::revoked(const jwt::Claims& claims) {
  if (auto fresh = revoked_if_fresh(claims)) return *fresh;
  auto now = RevocationCache::Clock::now();
  bool paused = false;
  {
    std::lock_guard lock(pause_mutex_);
    paused = now < redis_paused_until_;
  }
  redis::Reply reply;
  if (!paused) reply = client_->command({"GET", redis::user_revoked_key(settings_.key_prefix, claims.subject)});
  bool answered = reply && (reply->type == REDIS_REPLY_NIL || reply->type == REDIS_REPLY_STRING);
  if (!answered) {
    if (!paused) {
      std::lock_guard lock(pause_mutex_);
      redis_paused_until_ = now + settings_.cache_ttl;  // workers do not queue on a dead Redis
    }
    checks("unavailable").inc();
    bool voided = known_revoked(claims);  // fail open with what the cache still knows
    if (voided) refused().inc();
    return voided;
  }
  std::int64_t valid_from = 0;
  if (reply->type == REDIS_REPLY_STRING) {
    valid_from = redis::parse_revoked_ms(std::string_view(reply->str, reply->len)).value_or(0);
  }
  cache_.store(claims.subject, valid_from, now);
  checks("redis").inc();
  bool voided = voided_by(claims, cache_.find(claims.subject, now).valid_from_ms);
  if (voided) refused().inc();
  return voided;
}

}  // namespace botfactory::gateway
