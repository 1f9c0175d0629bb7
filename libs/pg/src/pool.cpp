#include "botfactory/pg/pool.hpp"

namespace botfactory::pg {

PooledConnection::PooledConnection(Pool& pool, std::unique_ptr<Connection> connection)
    : pool_(&pool), connection_(std::move(connection)) {}

PooledConnection::~PooledConnection() {
  if (connection_) pool_->release(std::move(connection_));
}

Pool::Pool(std::string conninfo, std::size_t size, std::chrono::milliseconds wait,
           SessionLimits limits)
    : conninfo_(std::move(conninfo)), size_(size == 0 ? 1 : size), wait_(wait), limits_(limits) {}

PooledConnection Pool::acquire() {
  std::unique_lock lock(mutex_);
  if (!available_.wait_for(lock, wait_, [&] { return !idle_.empty() || open_ < size_; })) {
    throw Error("PostgreSQL pool exhausted", "");
  }
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return PooledConnection(*this, std::move(connection));
  }
  ++open_;
  lock.unlock();
  try {
    return PooledConnection(*this, std::make_unique<Connection>(conninfo_, limits_));
  } catch (...) {
    std::lock_guard relock(mutex_);
    --open_;
    available_.notify_one();
    throw;
  }
}

void Pool::release(std::unique_ptr<Connection> connection) {
  if (!connection->healthy()) connection->reset();
  std::lock_guard lock(mutex_);
  if (connection->healthy()) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;
  }
  available_.notify_one();
}

bool Pool::ping() {
  try {
    auto connection = acquire();
    connection->exec("SELECT 1");
    return true;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace botfactory::pg
