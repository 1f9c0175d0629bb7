#include "rest/widget_origin.hpp"

#include <algorithm>

#include "botfactory/common/text.hpp"
#include "botfactory/common/web_origin.hpp"
#include "botfactory/jwt/tokens.hpp"

namespace botfactory::gateway {

std::optional<std::string> widget_session_origin(const registry::v1::Bot& bot,
                                                 std::string_view origin_header) {
  if (bot.allowed_origins().empty()) return std::string();
  auto canonical = common::canonical_origin(common::trim(origin_header));
  if (!canonical) return std::nullopt;
  const auto& allowed = bot.allowed_origins();
  if (std::find(allowed.begin(), allowed.end(), *canonical) == allowed.end()) return std::nullopt;
  return canonical;
}

bool upgrade_origin_allowed(const jwt::Claims& claims, std::string_view origin_header) {
  if (claims.kind != jwt::TokenKind::kVisitor || claims.origin.empty()) return true;
  auto canonical = common::canonical_origin(common::trim(origin_header));
  return canonical && *canonical == claims.origin;
}

}  // namespace botfactory::gateway
