#pragma once
// A fixed-size, thread-safe pool of PostgreSQL connections.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "botfactory/pg/connection.hpp"

namespace botfactory::pg {

class Pool;

/// A connection borrowed from a Pool; returned on destruction.
class PooledConnection {
 public:
  PooledConnection(Pool& pool, std::unique_ptr<Connection> connection);
  PooledConnection(PooledConnection&&) noexcept = default;
  ~PooledConnection();
  Connection& operator*() { return *connection_; }
  Connection* operator->() { return connection_.get(); }

 private:
  Pool* pool_;
  std::unique_ptr<Connection> connection_;
};

/// Opens connections lazily, up to `size`. acquire() waits up to `wait` for a free one and
/// throws Error("pool exhausted", "") after that. Broken connections are reset on release.
class Pool {
 public:
  /// Every connection is opened with `limits` (SessionLimits).
  Pool(std::string conninfo, std::size_t size,
       std::chrono::milliseconds wait = std::chrono::milliseconds(5000), SessionLimits limits = {});
  PooledConnection acquire();
  /// Runs `SELECT 1`; false when the database cannot be reached. For readiness probes.
  bool ping();

 private:
  friend class PooledConnection;
  void release(std::unique_ptr<Connection> connection);

  std::string conninfo_;
  std::size_t size_;
  std::chrono::milliseconds wait_;
  SessionLimits limits_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;
};

}  // namespace botfactory::pg
