#pragma once
// Composition root of channel-connector: builds the store, Redis publisher, gRPC clients, chat
// service and bot pipeline from a pool and settings, and tears them down in a safe order.

#include <memory>

#include "settings.hpp"

namespace botfactory::metrics {
class Registry;
}
namespace botfactory::pg {
class Pool;
}

namespace botfactory::channel {

class ChatService;

/// Owns every long-lived object of the service. Destruction stops the pipeline workers first
/// (running replies finish, queued ones are dropped), then releases the rest. Used by main() and
/// by the integration tests, so both run the same wiring.
class ChannelApp {
 public:
  ChannelApp(std::shared_ptr<pg::Pool> pool, const ChannelSettings& settings,
             metrics::Registry& registry);
  ~ChannelApp();
  ChannelApp(const ChannelApp&) = delete;
  ChannelApp& operator=(const ChannelApp&) = delete;

  ChatService& chat();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace botfactory::channel
