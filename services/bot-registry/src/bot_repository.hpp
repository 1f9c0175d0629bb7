#pragma once
// SQL over registry.bots. Callers pass ids already checked with common::is_uuid().

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "botfactory/pg/connection.hpp"
#include "botfactory/registry/v1/registry.pb.h"
#include "validation.hpp"
#include "platform_keys.hpp"
#include "widget_appearance.hpp"

namespace botfactory::registry {

/// The fields of a new bot, already validated.
struct NewBot {
  std::string tenant_id;
  std::string public_id;
  std::string name;
  std::string language;
  std::string greeting;
  std::string instructions;
  ProviderFields provider;
  std::vector<std::string> allowed_origins;  // canonical (checked_origins); empty = any
  WidgetFields widget;                       // look: checked_widget()
};

/// The fields UpdateBot changes; absent ones keep their value.
struct BotChanges {
  std::optional<std::string> name;
  std::optional<std::string> language;
  std::optional<std::string> greeting;
  std::optional<std::string> instructions;
  std::optional<ProviderFields> provider;
  std::optional<std::vector<std::string>> allowed_origins;  // replaces the list when set
  std::optional<WidgetFields> widget;                       // look: replaces it when set
};

/// Bot rows on one connection (not owned). Errors are pg::Error.
class BotRepository {
 public:
  /// `platform` (may be null = none) decides effective_answerer for tenants without a key.
  explicit BotRepository(pg::Connection& connection, const PlatformKeys* platform = nullptr)
      : connection_(connection), platform_(platform) {}

  /// Inserts the bot; nullopt (nothing inserted) when its public id is already taken.
  std::optional<registry::v1::Bot> insert(const NewBot& bot);
  std::optional<registry::v1::Bot> find(const std::string& tenant_id, const std::string& bot_id);
  std::optional<registry::v1::Bot> find_by_public_id(const std::string& public_id);
  /// The tenant's bots, oldest first.
  std::vector<registry::v1::Bot> list(const std::string& tenant_id);
  std::int64_t count(const std::string& tenant_id);
  /// Serialises bot creation per tenant until the transaction ends (pg_advisory_xact_lock), so
  /// two concurrent CreateBot calls cannot both pass the plan's bot limit.
  void lock_tenant(const std::string& tenant_id);
  /// Locks the bot row (SELECT ... FOR UPDATE) and returns its language; nullopt when the
  /// tenant has no such bot. Inside a transaction.
  std::optional<std::string> lock(const std::string& tenant_id, const std::string& bot_id);
  /// Applies `changes` (and updated_at = now()) to an existing bot and returns it.
  registry::v1::Bot update(const std::string& tenant_id, const std::string& bot_id,
                           const BotChanges& changes);
  /// Deletes the bot (documents and chunks cascade); false when the tenant has no such bot.
  bool remove(const std::string& tenant_id, const std::string& bot_id);

 private:
  pg::Connection& connection_;
  const PlatformKeys* platform_;
};

}  // namespace botfactory::registry
