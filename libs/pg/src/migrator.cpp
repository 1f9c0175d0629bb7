#include "botfactory/pg/migrator.hpp"

#include <algorithm>
#include <set>

#include "botfactory/common/logging.hpp"

namespace botfactory::pg {

int migrate(Connection& connection, const std::string& schema,
            const std::vector<Migration>& migrations) {
  auto log = common::logger("migrate");
  // One lock key per schema name, so services migrating different schemas do not wait.
  // A migration (or waiting for another replica's) may take longer than the session's
  // statement and lock timeouts (SessionLimits): lift them for this session, restore after.
  connection.exec("SET statement_timeout = 0");
  connection.exec("SET lock_timeout = 0");
  connection.exec("SELECT pg_advisory_lock(hashtext($1))", {"botfactory.migrate." + schema});
  int applied = 0;
  try {
    connection.exec_script("CREATE SCHEMA IF NOT EXISTS " + schema + ";\nCREATE TABLE IF NOT EXISTS " +
                           schema +
                           ".schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
                           "applied_at timestamptz NOT NULL DEFAULT now());");
    auto done = connection.exec("SELECT version FROM " + schema + ".schema_migrations");
    std::set<int> present;
    for (int r = 0; r < done.rows(); ++r) present.insert(static_cast<int>(done.int64(r, 0)));

    std::vector<Migration> ordered = migrations;
    std::sort(ordered.begin(), ordered.end(),
              [](const Migration& a, const Migration& b) { return a.version < b.version; });
    for (const auto& m : ordered) {
      if (present.count(m.version)) continue;
      Transaction tx(connection);
      connection.exec_script("SET LOCAL search_path TO " + schema + ", public;\n" + m.sql);
      connection.exec("INSERT INTO " + schema + ".schema_migrations (version, name) VALUES ($1, $2)",
                      {std::to_string(m.version), std::string(m.name)});
      tx.commit();
      ++applied;
      log->info("applied migration {}.V{:03d}__{}", schema, m.version, m.name);
    }
  } catch (...) {
    connection.exec("SELECT pg_advisory_unlock(hashtext($1))", {"botfactory.migrate." + schema});
    connection.exec_script("RESET statement_timeout; RESET lock_timeout");
    throw;
  }
  connection.exec("SELECT pg_advisory_unlock(hashtext($1))", {"botfactory.migrate." + schema});
  connection.exec_script("RESET statement_timeout; RESET lock_timeout");
  return applied;
}

}  // namespace botfactory::pg
