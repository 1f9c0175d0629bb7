#include "ws/session_registry.hpp"

#include <vector>

namespace botfactory::gateway {

void SessionRegistry::add(const std::shared_ptr<Closable>& session) {
  std::lock_guard lock(mutex_);
  sessions_[session.get()] = session;
}

void SessionRegistry::remove(const Closable* session) {
  std::lock_guard lock(mutex_);
  sessions_.erase(session);
}

std::vector<std::shared_ptr<Closable>> SessionRegistry::snapshot() const {
  std::vector<std::shared_ptr<Closable>> live;
  std::lock_guard lock(mutex_);
  live.reserve(sessions_.size());
  for (const auto& [key, weak] : sessions_) {
    if (auto session = weak.lock()) live.push_back(std::move(session));
  }
  return live;
}

void SessionRegistry::shutdown_all() {
  for (auto& session : snapshot()) session->shutdown();
}

void SessionRegistry::tick_all(std::chrono::steady_clock::time_point now) {
  for (auto& session : snapshot()) session->tick(now);
}

std::size_t SessionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace botfactory::gateway
