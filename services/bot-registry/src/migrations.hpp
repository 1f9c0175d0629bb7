#pragma once
// The registry schema's migrations, embedded from ../migrations by botfactory_embed_migrations().

#include <vector>

#include "botfactory/pg/migrator.hpp"

namespace botfactory::migrations {

/// V001__bots_and_knowledge.sql, ... in version order.
const std::vector<pg::Migration>& registry_migrations();

}  // namespace botfactory::migrations
