// botfactory-gateway: the public HTTP/WebSocket entry point (wiring only).
#include <cstdio>
#include <string>

#include "botfactory/common/config.hpp"
#include "botfactory/common/logging.hpp"
#include "botfactory/common/signals.hpp"
#include "gateway.hpp"

int main(int argc, char** argv) {
  using namespace botfactory;
  common::block_termination_signals();  // before any thread exists
  common::init_logging("gateway");
  auto log = common::logger("gateway");
  std::string command = argc > 1 ? argv[1] : "serve";
  if (command != "serve") {
    std::fprintf(stderr, "usage: %s [serve]\n", argv[0]);
    return command == "--help" || command == "-h" ? 0 : 2;
  }
  try {
    gateway::Gateway instance(gateway::GatewaySettings::from_env());
    instance.start();
    int sig = common::wait_for_termination_signal();
    log->info("received signal {}, shutting down", sig);
    instance.stop();
    return 0;
  } catch (const std::exception& e) {
    log->critical("start-up failed: {}", common::json_escape(e.what()));
    return 1;
  }
}
