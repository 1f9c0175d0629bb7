#pragma once
// The common life cycle of a BotFactory gRPC service binary, so each main.cpp is wiring only.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/service_type.h>

#include "botfactory/pg/migrator.hpp"
#include "botfactory/pg/pool.hpp"

namespace botfactory::rpc {

/// What differs between services.
struct ServiceOptions {
  std::string name;                  // "auth", used in logs
  std::string grpc_listen_env;       // e.g. "AUTH_GRPC_LISTEN"
  std::string default_grpc_listen;   // e.g. "127.0.0.1:50051"
  std::string metrics_listen_env;    // e.g. "AUTH_METRICS_LISTEN"
  std::string default_metrics_listen;  // e.g. "127.0.0.1:9101"
  std::string schema;                // owned PostgreSQL schema; empty = no database
  const std::vector<pg::Migration>* migrations = nullptr;
  /// Secret environment variables (besides INTERNAL_RPC_SECRET, always checked) that `serve`
  /// checks with common::require_secret before anything else, e.g. {"JWT_SECRET"}.
  std::vector<std::string> secrets;
  /// Optional further start-up check of `serve`, run right after the secret checks and before
  /// the database is touched (e.g. decoding a key); what it throws fails start-up (exit 1).
  std::function<void()> startup_check;

  /// The options of a BotFactory service named `name`: gRPC on `<env_prefix>_GRPC_LISTEN`
  /// (default 127.0.0.1:`grpc_port`), ops HTTP on `<env_prefix>_METRICS_LISTEN` (default
  /// 127.0.0.1:`metrics_port`), owning `schema` with `migrations` (empty, null: no database).
  static ServiceOptions standard(std::string name, const std::string& env_prefix, int grpc_port,
                                 int metrics_port, std::string schema = {},
                                 const std::vector<pg::Migration>* migrations = nullptr);
};

/// What the service factory gets: the database pool (null when schema is empty).
struct ServiceContext {
  std::shared_ptr<pg::Pool> pool;
};

/// Builds the service implementations once the database is migrated. The returned services are
/// kept alive until shutdown. The second element is an optional readiness check beyond the
/// database ping (may be empty).
using ServiceFactory = std::function<std::vector<std::unique_ptr<grpc::Service>>(ServiceContext&)>;

/// Runs the binary: `<bin> migrate` applies the migrations and exits; `<bin>` or `<bin> serve`
/// migrates, starts the gRPC server (grpc.health.v1 on) and the ops HTTP endpoint (/metrics,
/// /healthz, /readyz), then waits for SIGTERM/SIGINT and shuts down gracefully.
/// Database: DATABASE_URL (libpq conninfo), DB_POOL_SIZE, PG_STATEMENT_TIMEOUT_MS, PG_LOCK_TIMEOUT_MS,
/// PG_IDLE_IN_TRANSACTION_TIMEOUT_MS (pg::SessionLimits). Returns the process exit code;
/// configuration and start-up errors are logged and give 1.
int run_service(int argc, char** argv, const ServiceOptions& options, const ServiceFactory& factory);

}  // namespace botfactory::rpc
