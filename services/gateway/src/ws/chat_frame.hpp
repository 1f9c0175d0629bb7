#pragma once
// The encoded chat events the gateway moves around: one immutable frame shared by every
// recipient (no copy per delivery).

#include <cstdint>
#include <memory>
#include <string>

namespace botfactory::gateway {

/// An encoded WebSocket text frame (UTF-8 JSON) shared by every recipient.
using Frame = std::shared_ptr<const std::string>;
/// A conversation id shared by the hub and its watchers (no copy per delivery).
using ConversationId = std::shared_ptr<const std::string>;

/// One encoded `message.new` frame with its seq (> 0).
struct SeqFrame {
  std::int64_t seq = 0;
  Frame frame;
};

}  // namespace botfactory::gateway
