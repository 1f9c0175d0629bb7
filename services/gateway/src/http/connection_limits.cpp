#include "http/connection_limits.hpp"

#include "botfactory/metrics/registry.hpp"

namespace botfactory::gateway {
namespace {

metrics::Gauge& open_gauge() {
  static auto& gauge = metrics::Registry::global().gauge(
      "gateway_connections_open", "Open HTTP and WebSocket connections (all gateway instances of the process)");
  return gauge;
}

void count_refusal(ConnectionLimits::Refusal refusal) {
  static auto& total = metrics::Registry::global().counter(
      "gateway_connections_refused_total", "Connections refused at accept by a connection cap",
      "reason=\"total\"");
  static auto& per_address = metrics::Registry::global().counter(
      "gateway_connections_refused_total", "Connections refused at accept by a connection cap",
      "reason=\"per_address\"");
  (refusal == ConnectionLimits::Refusal::kTotal ? total : per_address).inc();
}

}  // namespace

ConnectionLimits::ConnectionLimits(std::size_t max_total, std::size_t max_per_address)
    : max_total_(max_total == 0 ? 1 : max_total), max_per_address_(max_per_address) {}

std::shared_ptr<const void> ConnectionLimits::acquire(const std::string& key, Refusal* refusal) {
  {
    std::lock_guard lock(mutex_);
    Refusal why = Refusal::kNone;
    if (total_ >= max_total_) {
      why = Refusal::kTotal;
    } else if (!key.empty() && max_per_address_ > 0) {
      auto it = by_key_.find(key);
      if (it != by_key_.end() && it->second >= max_per_address_) why = Refusal::kPerAddress;
    }
    if (refusal) *refusal = why;
    if (why != Refusal::kNone) {
      count_refusal(why);
      return nullptr;
    }
    ++total_;
    if (!key.empty()) ++by_key_[key];
  }
  open_gauge().add(1);
  // The deleter gives the slot back; the pointee is only a marker.
  return std::shared_ptr<const void>(this, [this, key](const void*) { release(key); });
}

void ConnectionLimits::release(const std::string& key) {
  {
    std::lock_guard lock(mutex_);
    --total_;
    if (!key.empty()) {
      auto it = by_key_.find(key);
      if (it != by_key_.end() && --it->second == 0) by_key_.erase(it);
    }
  }
  open_gauge().add(-1);
}

std::size_t ConnectionLimits::open() const {
  std::lock_guard lock(mutex_);
  return total_;
}

std::size_t ConnectionLimits::open_from(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = by_key_.find(key);
  return it == by_key_.end() ? 0 : it->second;
}

}  // namespace botfactory::gateway
