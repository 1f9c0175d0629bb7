#pragma once
// The embedded migrations of schema `auth` (services/auth/migrations, cmake/EmbedMigrations.cmake).

#include <vector>

#include "botfactory/pg/migrator.hpp"

namespace botfactory::migrations {

/// Every V<NNN>__*.sql of services/auth/migrations, in version order.
const std::vector<pg::Migration>& auth_migrations();

}  // namespace botfactory::migrations
