#include "authenticator.hpp"

#include "botfactory/common/ids.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/random.hpp"
#include "botfactory/common/text.hpp"
#include "botfactory/common/web_origin.hpp"
#include "botfactory/rpc/retry_after.hpp"
#include "botfactory/rpc/status.hpp"
#include "botfactory/rpc/tenant.hpp"
#include "login_failure_repository.hpp"
#include "team_service.hpp"
#include "validation.hpp"

namespace botfactory::auth {
namespace {

constexpr const char* kInvalidCredentials = "invalid email or password";
constexpr const char* kInvalidRefreshToken = "invalid refresh token";
constexpr const char* kThrottled = "too many failed logins, try again later";
constexpr const char* kHashingBusy = "too many logins in progress, try again shortly";
constexpr std::size_t kRefreshTokenBytes = 32;
/// Expired throttle rows deleted per recorded failure: keeps the table near its live size.
constexpr int kPruneBatch = 16;

std::int64_t micros(std::chrono::seconds s) { return static_cast<std::int64_t>(s.count()) * 1'000'000; }

void require_valid(const std::optional<std::string>& problem) {
  if (problem) rpc::throw_invalid(*problem);
}

}  // namespace

std::int64_t system_clock_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Authenticator::Authenticator(std::shared_ptr<pg::Pool> pool, AuthSettings settings, Clock clock,
                             std::shared_ptr<TokenRevocations> revocations)
    : pool_(std::move(pool)),
      settings_(std::move(settings)),
      clock_(std::move(clock)),
      revocations_(std::move(revocations)),
      hasher_(settings_.password_cost),
      slots_(settings_.hash_slots, settings_.hash_wait),
      signer_(settings_.jwt_secret, settings_.jwt_issuer) {}

std::chrono::system_clock::time_point Authenticator::time_point(std::int64_t us) const {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::microseconds(us)));
}

HashSlots::Permit Authenticator::hash_permit() {
  auto permit = slots_.try_acquire();
  if (!permit) rpc::throw_retry_later(grpc::StatusCode::UNAVAILABLE, kHashingBusy, 1);
  return std::move(*permit);
}

void Authenticator::check_not_throttled(pg::Connection& conn, const std::string& email_hash,
                                        std::int64_t now_us) {
  if (!settings_.login_throttle.enabled()) return;
  auto wait = retry_after_s(login_failure_repository::find(conn, email_hash), now_us);
  if (wait) rpc::throw_retry_later(grpc::StatusCode::RESOURCE_EXHAUSTED, kThrottled, *wait);
}

void Authenticator::record_failure(const std::string& email_hash, std::int64_t now_us) {
  if (!settings_.login_throttle.enabled()) return;
  auto conn = pool_->acquire();
  pg::Transaction tx(*conn);
  auto previous = login_failure_repository::lock(*conn, email_hash);
  auto next = after_failure(settings_.login_throttle, previous, now_us);
  login_failure_repository::save(*conn, email_hash, next);
  login_failure_repository::prune_expired(*conn, now_us, kPruneBatch);
  tx.commit();
  if (next.blocked_until_us > now_us) {
    common::logger("auth")->info("login throttled: account key {}… failed {} times, blocked {} ms",
                                 email_hash.substr(0, 12), next.failures,
                                 (next.blocked_until_us - now_us) / 1000);
  }
}

UserRecord Authenticator::register_user(const std::string& email, const std::string& username,
                                        const std::string& password,
                                        const std::string& invite_token,
                                        std::int32_t seat_limit) {
  auto normalized = normalize_email(email);
  require_valid(email_problem(normalized));
  require_valid(username_problem(username));
  require_valid(password_problem(password));
  std::string hash;
  {
    auto permit = hash_permit();
    hash = hasher_.hash(password);
  }
  auto conn = pool_->acquire();
  try {
    if (!invite_token.empty()) {  // team accounts: join the invite's tenant
      pg::Transaction tx(*conn);
      auto member = TeamService::join(*conn, invite_token, seat_limit, clock_(), normalized,
                                      username, hash);
      tx.commit();
      common::logger("auth")->info("registered user {} as {} of tenant {}", member.id,
                                   member.role, member.tenant_id);
      return member;
    }
    auto user = user_repository::insert_user(*conn, normalized, username, hash);
    common::logger("auth")->info("registered user {} tenant {}", user.id, user.tenant_id);
    return user;
  } catch (const pg::Error& e) {
    if (e.is_unique_violation()) rpc::throw_already_exists("email or username already registered");
    throw;
  }
}

IssuedTokens Authenticator::login(const std::string& email, const std::string& password) {
  // No stored password is longer; refusing early bounds the hashing work a caller can ask for.
  if (password.size() > kMaxPasswordBytes) rpc::throw_unauthenticated(kInvalidCredentials);
  auto normalized = normalize_email(email);
  // The throttle key exists for every e-mail, registered or not, so its answers reveal nothing.
  auto email_hash = common::sha256_hex(normalized);
  std::optional<UserCredentials> found;
  // The access token is dated from this reading, taken before the user's role is read: a role
  // change or removal during the (slow) hash below stamps a later revocation time, so the
  // gateway refuses a token carrying the role read here (docs/security.md "Revoked access
  // tokens").
  const auto read_us = clock_();
  {
    auto conn = pool_->acquire();
    check_not_throttled(*conn, email_hash, read_us);
    found = user_repository::find_by_email(*conn, normalized);
  }
  // Hashing happens without holding a pooled connection: it is the slow part. Known and unknown
  // e-mails cost one hash each, under the same cap.
  std::string upgraded_hash;
  {
    auto permit = hash_permit();
    bool ok = false;
    if (found) {
      ok = hasher_.verify(password, found->password_hash);
    } else {
      hasher_.verify_dummy(password);
    }
    if (!ok) {
      record_failure(email_hash, clock_());
      rpc::throw_unauthenticated(kInvalidCredentials);
    }
    if (hasher_.needs_rehash(found->password_hash)) upgraded_hash = hasher_.hash(password);
  }
  auto conn = pool_->acquire();
  if (settings_.login_throttle.enabled()) login_failure_repository::clear(*conn, email_hash);
  if (!upgraded_hash.empty()) {
    user_repository::update_password_hash(*conn, found->user.id, upgraded_hash);
    common::logger("auth")->info("user {}: password hash upgraded to the current cost",
                                 found->user.id);
  }
  return issue_pair(*conn, found->user, read_us);
}

IssuedTokens Authenticator::issue_pair(pg::Connection& conn, const UserRecord& user,
                                       std::int64_t read_us) {
  IssuedTokens out;
  out.refresh_token = common::random_token(kRefreshTokenBytes);
  user_repository::insert_refresh_token(conn, common::sha256_hex(out.refresh_token), user.id,
                                        read_us + micros(settings_.refresh_token_ttl));
  jwt::Claims claims;
  claims.kind = jwt::TokenKind::kUser;
  claims.subject = user.id;
  claims.tenant_id = user.tenant_id;
  claims.role = user.role;  // team accounts: the gateway's route → minimum role table
  out.access_token = signer_.sign(claims, settings_.access_token_ttl, time_point(read_us));
  out.expires_in = static_cast<std::int32_t>(settings_.access_token_ttl.count());
  out.user = user;
  return out;
}

IssuedTokens Authenticator::refresh(const std::string& refresh_token) {
  if (refresh_token.empty()) rpc::throw_unauthenticated(kInvalidRefreshToken);
  auto old_hash = common::sha256_hex(refresh_token);
  auto now_us = clock_();
  auto conn = pool_->acquire();
  pg::Transaction tx(*conn);
  auto row = user_repository::lock_refresh_token(*conn, old_hash);
  if (!row) rpc::throw_unauthenticated(kInvalidRefreshToken);
  if (row->revoked) {
    auto revoked = user_repository::revoke_all_for_user(*conn, row->user_id, now_us);
    tx.commit();
    if (revocations_) revocations_->revoke(row->user_id, clock_() / 1000);
    common::logger("auth")->warn(
        "revoked refresh token reused for user {}: revoked its {} live tokens", row->user_id,
        revoked);
    rpc::throw_unauthenticated(kInvalidRefreshToken);
  }
  if (row->expires_at_us <= now_us) rpc::throw_unauthenticated(kInvalidRefreshToken);
  auto user = user_repository::find_by_id(*conn, row->user_id);
  if (!user) rpc::throw_unauthenticated(kInvalidRefreshToken);
  auto pair = issue_pair(*conn, *user, now_us);
  user_repository::mark_rotated(*conn, old_hash, common::sha256_hex(pair.refresh_token), now_us);
  tx.commit();
  return pair;
}

void Authenticator::logout(const std::string& refresh_token) {
  if (refresh_token.empty()) return;
  auto conn = pool_->acquire();
  user_repository::revoke(*conn, common::sha256_hex(refresh_token), clock_());
}

UserRecord Authenticator::get_user(const std::string& user_id) {
  if (!common::is_uuid(user_id)) rpc::throw_not_found("user not found");
  auto conn = pool_->acquire();
  auto user = user_repository::find_by_id(*conn, user_id);
  if (!user) rpc::throw_not_found("user not found");
  return *user;
}

IssuedVisitorToken Authenticator::issue_visitor_token(const VisitorTokenRequest& request) {
  rpc::require_tenant(request.tenant_id);
  if (request.bot_id.empty()) rpc::throw_invalid("bot_id is required");
  if (!common::is_uuid(request.bot_id)) rpc::throw_invalid("bot_id must be a UUID");
  if (request.conversation_id.empty()) rpc::throw_invalid("conversation_id is required");
  if (request.visitor_id.empty()) rpc::throw_invalid("visitor_id is required");
  if (!common::is_valid_utf8(request.visitor_name) ||
      common::utf8_length(request.visitor_name) > kMaxVisitorNameLength) {
    rpc::throw_invalid("visitor_name must be UTF-8 of at most 64 characters");
  }
  if (!request.origin.empty() && common::canonical_origin(request.origin) != request.origin) {
    rpc::throw_invalid("origin must be a canonical web origin like https://shop.example");
  }
  jwt::Claims claims;
  claims.kind = jwt::TokenKind::kVisitor;
  claims.subject = request.visitor_id;
  claims.tenant_id = request.tenant_id;
  claims.bot_id = request.bot_id;
  claims.conversation_id = request.conversation_id;
  claims.name = request.visitor_name;
  claims.origin = request.origin;
  IssuedVisitorToken out;
  out.token = signer_.sign(claims, settings_.visitor_token_ttl, time_point(clock_()));
  out.expires_in = static_cast<std::int32_t>(settings_.visitor_token_ttl.count());
  return out;
}

}  // namespace botfactory::auth
