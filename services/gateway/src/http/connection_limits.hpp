#pragma once
// Caps on open connections (HTTP and WebSocket): in total and per client address.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace botfactory::gateway {

/// Counts open connections in total (MAX_CONNECTIONS) and per peer address key
/// (MAX_CONNECTIONS_PER_IP; address_key(): IPv4, or the IPv6 /64). A connection holds a slot
/// from accept to close; the listener refuses one that would go over either cap before
/// anything else is allocated for it (docs/architecture.md, "Limits"). Thread-safe; must
/// outlive every slot.
class ConnectionLimits {
 public:
  enum class Refusal { kNone, kTotal, kPerAddress };

  /// `max_per_address` 0 = no per-address cap.
  ConnectionLimits(std::size_t max_total, std::size_t max_per_address);
  ConnectionLimits(const ConnectionLimits&) = delete;
  ConnectionLimits& operator=(const ConnectionLimits&) = delete;

  /// A slot for a new connection from `key` ("" = not counted per address, e.g. behind
  /// trusted proxies where every peer is a proxy); released when the last copy is destroyed.
  /// nullptr when a cap is reached, with `*refusal` saying which (and counted in
  /// gateway_connections_refused_total{reason}).
  std::shared_ptr<const void> acquire(const std::string& key, Refusal* refusal);

  /// Open connections holding a slot.
  std::size_t open() const;
  /// Open connections from `key`.
  std::size_t open_from(const std::string& key) const;

 private:
  void release(const std::string& key);

  const std::size_t max_total_;
  const std::size_t max_per_address_;
  mutable std::mutex mutex_;
  std::size_t total_ = 0;                                 // guarded by mutex_
  std::unordered_map<std::string, std::size_t> by_key_;  // guarded by mutex_
};

}  // namespace botfactory::gateway
