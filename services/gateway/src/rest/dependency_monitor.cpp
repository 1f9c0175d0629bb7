#include "rest/dependency_monitor.hpp"

#include "botfactory/common/logging.hpp"
#include "botfactory/metrics/registry.hpp"
#include "rest/upstreams.hpp"

namespace botfactory::gateway {
namespace {

metrics::Gauge& up_gauge(const std::string& name) {
  return metrics::Registry::global().gauge(
      "gateway_dependency_up", "1 when the gateway can reach the dependency, 0 when not",
      "dependency=\"" + name + "\"");
}

}  // namespace

DependencyMonitor::DependencyMonitor(const Upstreams& upstreams, std::function<bool()> redis_up,
                                     std::chrono::milliseconds interval,
                                     std::chrono::milliseconds probe_timeout)
    : upstreams_(upstreams),
      redis_up_(std::move(redis_up)),
      interval_(interval),
      probe_timeout_(probe_timeout) {}

DependencyMonitor::~DependencyMonitor() { stop(); }

void DependencyMonitor::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void DependencyMonitor::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DependencyMonitor::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    probe_all();
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

void DependencyMonitor::probe_all() {
  for (auto dependency : kAllDependencies) {
    bool was_up = upstreams_.available(dependency);
    bool up = upstreams_.probe(dependency, probe_timeout_);
    if (up != was_up) {
      common::logger("gateway")->warn("dependency {} is {}", dependency_name(dependency),
                                      up ? "up again" : "down");
    }
  }
  probed_ = true;
  for (const auto& s : status()) up_gauge(s.name).set(s.up ? 1 : 0);
}

std::vector<DependencyStatus> DependencyMonitor::status() const {
  std::vector<DependencyStatus> result;
  result.push_back({"redis", redis_up_ && redis_up_(), true});
  for (auto dependency : kAllDependencies) {
    result.push_back({dependency_name(dependency), upstreams_.available(dependency),
                      dependency == Dependency::kChat});
  }
  return result;
}

bool DependencyMonitor::ready() const {
  if (!probed_) return false;
  for (const auto& s : status()) {
    if (s.required && !s.up) return false;
  }
  return true;
}

}  // namespace botfactory::gateway
