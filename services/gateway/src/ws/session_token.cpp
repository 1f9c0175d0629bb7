#include "ws/session_token.hpp"

namespace botfactory::gateway {
namespace {

constexpr std::chrono::seconds kMaxLife{365LL * 24 * 3600};

}  // namespace

SessionToken::SessionToken(jwt::Claims claims, SystemClock::time_point now_system,
                           SteadyClock::time_point now_steady) {
  set(std::move(claims), now_system, now_steady);
}

void SessionToken::set(jwt::Claims claims, SystemClock::time_point now_system,
                       SteadyClock::time_point now_steady) {
  // Steady time, so that a wall-clock step cannot stretch or cut a socket's life. The remaining
  // life is clamped (a year at most) so that no exp can overflow the clock arithmetic.
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now_system.time_since_epoch());
  std::int64_t exp = claims.expires_at;
  auto left = std::chrono::seconds(exp <= now_s.count() ? -1
                                   : exp - now_s.count() > kMaxLife.count() ? kMaxLife.count()
                                                                            : exp - now_s.count());
  deadline_ = now_steady + std::chrono::duration_cast<SteadyClock::duration>(left) -
              std::chrono::duration_cast<SteadyClock::duration>(now_system.time_since_epoch() - now_s);
  claims_ = std::make_shared<const jwt::Claims>(std::move(claims));
}

std::optional<RenewalError> SessionToken::renew(jwt::Claims renewed,
                                                SystemClock::time_point now_system,
                                                SteadyClock::time_point now_steady) {
  const jwt::Claims& current = *claims_;
  bool same = renewed.kind == current.kind && renewed.subject == current.subject &&
              renewed.tenant_id == current.tenant_id;
  if (same && current.kind == jwt::TokenKind::kVisitor) {
    same = renewed.bot_id == current.bot_id && renewed.conversation_id == current.conversation_id;
  }
  if (!same) {
    return RenewalError{"forbidden",
                        "the new token must be for the same holder (kind, subject, tenant; for a "
                        "visitor the same bot and conversation)"};
  }
  set(std::move(renewed), now_system, now_steady);
  return std::nullopt;
}

}  // namespace botfactory::gateway
