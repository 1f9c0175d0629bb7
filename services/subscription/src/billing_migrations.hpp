#pragma once
// The embedded migrations of schema `billing` (services/subscription/migrations,
// cmake/EmbedMigrations.cmake).

#include <vector>

#include "botfactory/pg/migrator.hpp"

namespace botfactory::migrations {

/// Every V<NNN>__*.sql of services/subscription/migrations, in version order.
const std::vector<pg::Migration>& billing_migrations();

}  // namespace botfactory::migrations
