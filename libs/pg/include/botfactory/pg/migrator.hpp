#pragma once
// Versioned SQL migrations, one PostgreSQL schema per owning service.

#include <string>
#include <vector>

#include "botfactory/pg/connection.hpp"

namespace botfactory::pg {

/// One migration file `V<version>__<name>.sql`, embedded at build time
/// (cmake/EmbedMigrations.cmake).
struct Migration {
  int version;
  const char* name;
  const char* sql;
};

/// Applies, in version order, every migration of `schema` not yet recorded in
/// `<schema>.schema_migrations` (version, name, applied_at); each in its own transaction,
/// under a PostgreSQL advisory lock so concurrent replicas migrate once. Creates the schema.
/// Returns the number applied. Throws Error when a migration fails (nothing of it is kept).
int migrate(Connection& connection, const std::string& schema,
            const std::vector<Migration>& migrations);

}  // namespace botfactory::pg
