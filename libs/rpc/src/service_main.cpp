#include "botfactory/rpc/service_main.hpp"

#include <cstring>

#include "botfactory/common/config.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/secrets.hpp"
#include "botfactory/common/signals.hpp"
#include "botfactory/metrics/http_endpoint.hpp"
#include "botfactory/metrics/registry.hpp"
#include "botfactory/rpc/internal_auth.hpp"
#include "botfactory/rpc/server.hpp"

namespace botfactory::rpc {
namespace {

std::pair<std::string, int> split_host_port(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) throw common::ConfigError("expected host:port, got " + address);
  try {
    return {address.substr(0, colon), std::stoi(address.substr(colon + 1))};
  } catch (const std::exception&) {
    throw common::ConfigError("expected host:port, got " + address);
  }
}

}  // namespace

ServiceOptions ServiceOptions::standard(std::string name, const std::string& env_prefix,
                                        int grpc_port, int metrics_port, std::string schema,
                                        const std::vector<pg::Migration>* migrations) {
  ServiceOptions options;
  options.name = std::move(name);
  options.grpc_listen_env = env_prefix + "_GRPC_LISTEN";
  options.default_grpc_listen = "127.0.0.1:" + std::to_string(grpc_port);
  options.metrics_listen_env = env_prefix + "_METRICS_LISTEN";
  options.default_metrics_listen = "127.0.0.1:" + std::to_string(metrics_port);
  options.schema = std::move(schema);
  options.migrations = migrations;
  return options;
}

int run_service(int argc, char** argv, const ServiceOptions& options, const ServiceFactory& factory) {
  common::block_termination_signals();
  common::init_logging(options.name);
  auto log = common::logger(options.name);
  std::string command = argc > 1 ? argv[1] : "serve";
  if (command == "--help" || command == "-h" || (command != "serve" && command != "migrate")) {
    std::fprintf(stderr, "usage: %s [serve|migrate]\n", argv[0]);
    return command == "--help" || command == "-h" ? 0 : 2;
  }
  try {
    // INTERNAL_RPC_SECRET: refuse to serve without a strong one, before touching the database.
    if (command == "serve") {
      internal_token();
      for (const auto& name : options.secrets) common::require_secret(name.c_str());
      if (options.startup_check) options.startup_check();
    }
    ServiceContext context;
    if (!options.schema.empty()) {
      auto conninfo = common::env_string(
          "DATABASE_URL", "host=127.0.0.1 port=5432 user=postgres dbname=botfactory");
      auto pool_size = common::env_int("DB_POOL_SIZE", 8, 1, 256);
      context.pool = std::make_shared<pg::Pool>(conninfo, static_cast<std::size_t>(pool_size),
                                                std::chrono::milliseconds(5000),
                                                pg::SessionLimits::from_env());
      {
        auto connection = context.pool->acquire();
        int applied = pg::migrate(*connection, options.schema, *options.migrations);
        log->info("schema {} up to date ({} migrations applied)", options.schema, applied);
      }
      if (command == "migrate") return 0;
    } else if (command == "migrate") {
      log->info("{} owns no schema; nothing to migrate", options.name);
      return 0;
    }

    auto services = factory(context);
    std::vector<grpc::Service*> raw;
    for (auto& s : services) raw.push_back(s.get());
    auto grpc_listen = common::env_string(options.grpc_listen_env.c_str(), options.default_grpc_listen);
    Server server(grpc_listen, raw);
    auto [metrics_host, metrics_port] = split_host_port(
        common::env_string(options.metrics_listen_env.c_str(), options.default_metrics_listen));
    auto pool = context.pool;
    metrics::HttpEndpoint ops(metrics_host, metrics_port, metrics::Registry::global(),
                              [pool] { return !pool || pool->ping(); });
    log->info("serving gRPC on port {}, ops HTTP on {}:{}", server.port(), metrics_host, ops.port());

    int sig = common::wait_for_termination_signal();
    log->info("received signal {}, shutting down", sig);
    server.shutdown(5000);
    ops.stop();
    log->info("stopped");
    return 0;
  } catch (const std::exception& e) {
    log->critical("start-up failed: {}", common::json_escape(e.what()));
    return 1;
  }
}

}  // namespace botfactory::rpc
